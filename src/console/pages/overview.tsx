/** Overview: orders per channel per day (30 days, an SVG chart), orders by status, connections' health, newest failures and refused write-backs. */
import { getJson } from '../api.ts';
import { Badge, ErrorNote, Section, StatusBadge, useInterval, useLoad } from '../components/ui.tsx';
import { count, dateTime } from '../format.ts';
import { locale, t } from '../i18n.ts';
import { href } from '../router.ts';
import type { Connection, Overview } from '../types.ts';

const COLOURS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#4b5563'];

function days(from: string, n: number): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: n }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}

function PerDayChart({ overview }: { overview: Overview }) {
  const allDays = days(overview.from, 30);
  const channels = [...new Set(overview.perDay.map((r) => r.channel))].sort();
  const byDay = new Map<string, Map<string, number>>();
  for (const r of overview.perDay) {
    const m = byDay.get(r.day) ?? new Map<string, number>();
    m.set(r.channel, r.orders);
    byDay.set(r.day, m);
  }
  const totals = allDays.map((d) => [...(byDay.get(d)?.values() ?? [])].reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const W = 900, H = 240, left = 44, bottom = 28, top = 10;
  const bw = (W - left) / allDays.length;
  const y = (v: number) => top + (H - top - bottom) * (1 - v / max);
  const dayLabel = new Intl.DateTimeFormat(locale.value, { day: 'numeric', month: 'numeric', timeZone: 'UTC' });
  const ticks = [0, Math.round(max / 2), max];
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('overview.chartLabel')}>
        {ticks.map((v) => (
          <g key={v}><line x1={left} x2={W} y1={y(v)} y2={y(v)} class="grid" /><text x={left - 6} y={y(v) + 4} text-anchor="end" class="axis">{count(v)}</text></g>
        ))}
        {allDays.map((d, i) => {
          let acc = 0;
          return (
            <g key={d}>
              <title>{`${d}: ${count(totals[i] ?? 0)}`}</title>
              {channels.map((c, ci) => {
                const v = byDay.get(d)?.get(c) ?? 0;
                if (v === 0) return null;
                const y0 = y(acc), y1 = y(acc + v);
                acc += v;
                return <rect key={c} x={left + i * bw + 1} width={Math.max(1, bw - 2)} y={y1} height={Math.max(0, y0 - y1)} fill={COLOURS[ci % COLOURS.length]} />;
              })}
              {i % 5 === 0 && <text x={left + i * bw + bw / 2} y={H - 8} text-anchor="middle" class="axis">{dayLabel.format(new Date(`${d}T00:00:00Z`))}</text>}
            </g>
          );
        })}
      </svg>
      <figcaption>
        {channels.map((c, ci) => <span key={c} class="legend"><span class="swatch" style={{ background: COLOURS[ci % COLOURS.length] }} />{c}</span>)}
        <span class="muted"> · {t('overview.utcDays')}</span>
      </figcaption>
    </figure>
  );
}

export function OverviewPage() {
  const overview = useLoad(() => getJson<Overview>('/v1/overview', { days: 30 }), []);
  const connections = useLoad(() => getJson<{ data: Connection[] }>('/v1/connections'), []);
  useInterval(() => { void overview.reload(); void connections.reload(); }, 10_000);
  const o = overview.data;
  const total = o?.byStatus.reduce((a, b) => a + b.orders, 0) ?? 0;
  return (
    <div class="page">
      <h1>{t('overview.title')}</h1>
      <ErrorNote error={overview.error ?? connections.error} />
      <Section title={t('overview.perDay')}>{o ? <PerDayChart overview={o} /> : <p class="loading">…</p>}</Section>
      <div class="grid2">
        <Section title={t('overview.byStatus')}>
          <table class="bars">
            <tbody>
              {(o?.byStatus ?? []).map((s) => (
                <tr key={s.status}>
                  <th scope="row"><a href={href('orders', { status: s.status })}><StatusBadge status={s.status} /></a></th>
                  <td class="num">{count(s.orders)}</td>
                  <td class="bar-cell"><span class="bar" style={{ width: `${total ? (100 * s.orders) / total : 0}%` }} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
        <Section title={t('overview.health')}>
          <ul class="health">
            {(connections.data?.data ?? []).map((c) => (
              <li key={c.name}>
                <a href={href('connections')}>{c.name}</a> <Badge value={c.health} label={t(`health.${c.health}`)} />
                <span class="muted"> {t('overview.lastSync', { at: dateTime(c.lastSyncAt) })} · {count(c.counts.orders)}</span>
                {c.lastError && <div class="error-text">{c.lastError}</div>}
              </li>
            ))}
          </ul>
        </Section>
      </div>
      <div class="grid2">
        <Section title={t('overview.failures')} actions={<a href={href('failures')}>{t('overview.all')}</a>}>
          {o?.failures.length ? (
            <ul class="compact">{o.failures.map((f) => <li key={f.id}><time dateTime={f.at}>{dateTime(f.at)}</time> <strong>{f.connection}</strong> {f.externalId} — <span class="error-text">{f.error}</span></li>)}</ul>
          ) : <p class="muted">{t('overview.noFailures')}</p>}
        </Section>
        <Section title={t('overview.refused')}>
          {o?.refusedWriteBacks.length ? (
            <ul class="compact">{o.refusedWriteBacks.map((w) => (
              <li key={w.id}><time dateTime={w.updatedAt}>{dateTime(w.updatedAt)}</time> <a href={href(`orders/${w.orderId}`)}>{w.connection}</a> {w.kind}{' '}
                <Badge value={w.state} label={t(`wb.${w.state}`)} /> <span class="error-text">{w.error?.message}</span></li>
            ))}</ul>
          ) : <p class="muted">{t('overview.noRefused')}</p>}
        </Section>
      </div>
    </div>
  );
}
