/** Small pieces every page uses: loading with errors, status badges, notices. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { t, type MessageKey } from '../i18n.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/** Runs `load` when `deps` change (and on reload()); keeps the last data while reloading, so tables do not flicker. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const value = await load();
      if (mine === generation.current) {
        setData(value);
        setError(undefined);
      }
    } catch (err) {
      if (mine === generation.current) setError(err as Error);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

/** Calls `fn` every `ms` while the page is visible. */
export function useInterval(fn: () => void, ms: number, active = true): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active) return undefined;
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') saved.current();
    }, ms);
    return () => clearInterval(id);
  }, [ms, active]);
}

export function ErrorNote({ error }: { error: Error | undefined | null }) {
  if (!error) return null;
  return <p class="error" role="alert">{error.message}</p>;
}

export function Notice({ children, kind = 'info' }: { children: ComponentChildren; kind?: 'info' | 'ok' | 'warn' }) {
  return <p class={`notice ${kind}`} role="status">{children}</p>;
}

const STATUS_TONE: Record<string, string> = {
  new: 'blue', confirmed: 'blue', processing: 'amber', shipped: 'violet', delivered: 'green', completed: 'green',
  cancelled: 'grey', returned: 'red', on_hold: 'amber', disputed: 'red',
  ok: 'green', needs_attention: 'red', never_synced: 'grey', disabled: 'grey',
  accepted: 'amber', refused: 'red', failed: 'red', succeeded: 'green', running: 'blue', pending: 'amber', dead: 'red',
};

export function Badge({ value, label }: { value: string; label?: string }) {
  return <span class={`badge ${STATUS_TONE[value] ?? 'grey'}`}>{label ?? value}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  const key = `status.${status}` as MessageKey;
  return <Badge value={status} label={t(key, {}, status)} />;
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card">
      <header class="card-head"><h2>{title}</h2>{actions}</header>
      {children}
    </section>
  );
}
