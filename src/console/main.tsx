/** The operations console: sign-in, then the pages, all over the public REST API. */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { restoreSession, session, signIn, signOut } from './api.ts';
import { language, LANGUAGES, setLanguage, t } from './i18n.ts';
import type { Language } from './messages.ts';
import { route } from './router.ts';
import { ConnectionsPage } from './pages/connections.tsx';
import { DropshipPage } from './pages/dropship.tsx';
import { FailuresPage } from './pages/failures.tsx';
import { OrderPage } from './pages/order.tsx';
import { OrdersPage } from './pages/orders.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { WebhooksPage } from './pages/webhooks.tsx';

function LanguagePicker() {
  return (
    <label class="lang">
      <span class="sr-only">{t('app.language')}</span>
      <select value={language.value} onChange={(e) => setLanguage((e.currentTarget as HTMLSelectElement).value as Language)} aria-label={t('app.language')}>
        {LANGUAGES.map((l) => <option value={l.code} key={l.code}>{l.name}</option>)}
      </select>
    </label>
  );
}

function SignIn() {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key.trim());
    } catch (err) {
      setError((err as { status?: number }).status === 401 ? t('signin.refused') : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main class="signin">
      <form onSubmit={submit} class="card signin-card" aria-labelledby="signin-title">
        <h1 id="signin-title">orderhub</h1>
        <p>{t('signin.intro')}</p>
        <label for="apikey">{t('signin.key')}</label>
        <input id="apikey" name="apikey" type="password" autocomplete="current-password" required value={key}
          onInput={(e) => setKey((e.currentTarget as HTMLInputElement).value)} placeholder="ohk_…" autofocus />
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{t('signin.submit')}</button>
        <p class="hint">{t('signin.hint')}</p>
        <LanguagePicker />
      </form>
    </main>
  );
}

const NAV: Array<{ path: string; key: Parameters<typeof t>[0] }> = [
  { path: '', key: 'nav.overview' },
  { path: 'orders', key: 'nav.orders' },
  { path: 'connections', key: 'nav.connections' },
  { path: 'failures', key: 'nav.failures' },
  { path: 'webhooks', key: 'nav.webhooks' },
  { path: 'dropship', key: 'nav.dropship' },
];

function Page() {
  const [first = '', second] = route.value.path;
  if (first === 'orders' && second) return <OrderPage id={second} />;
  switch (first) {
    case 'orders': return <OrdersPage />;
    case 'connections': return <ConnectionsPage />;
    case 'failures': return <FailuresPage />;
    case 'webhooks': return <WebhooksPage />;
    case 'dropship': return <DropshipPage />;
    default: return <OverviewPage />;
  }
}

function Shell() {
  const s = session.value!;
  const current = route.value.path[0] ?? '';
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>{t('app.skip')}</a>
      <header class="top">
        <span class="brand">orderhub</span>
        <nav aria-label={t('app.nav')}>
          {NAV.map((n) => (
            <a key={n.path} href={`#/${n.path}`} aria-current={current === n.path ? 'page' : undefined}>{t(n.key)}</a>
          ))}
        </nav>
        <div class="who">
          <span title={t('app.expires', { at: new Date(s.expiresAt).toLocaleString() })}>
            {s.key.name} · <span class={`scope ${s.key.scope}`}>{t(s.key.scope === 'write' ? 'app.scopeWrite' : 'app.scopeRead')}</span>
          </span>
          <LanguagePicker />
          <button type="button" onClick={() => void signOut()}>{t('app.signOut')}</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}><Page /></main>
    </div>
  );
}

function App() {
  language.value; // re-render everything when the language changes
  if (session.value === undefined) return <p class="loading">…</p>;
  if (session.value === null) return <SignIn />;
  return <Shell />;
}

document.documentElement.lang = language.value;
void restoreSession();
render(<App />, document.getElementById('app')!);
