import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, isNotAvailable } from '../api/errors.js';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'ok'; data: T }
  | { state: 'unavailable'; route: string }
  | { state: 'error'; message: string; code?: string };

/**
 * Loads a route now, again every `refreshMs` (0 = never) and on reload(); a 404 "no route" becomes
 * `unavailable` (and is not polled again), so the screen can say the feature is not there yet.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], refreshMs = 0): [Loaded<T>, () => void] {
  const [value, setValue] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const data = await load();
        if (cancelled) return;
        setValue({ state: 'ok', data });
      } catch (err) {
        if (cancelled) return;
        if (isNotAvailable(err)) {
          setValue({ state: 'unavailable', route: err.route });
          return;
        }
        const failure: Loaded<T> = err instanceof ApiError ? { state: 'error', message: err.message, code: err.code } : { state: 'error', message: (err as Error).message };
        // A refresh that fails keeps showing the last good data, except when the thing is gone (4xx).
        setValue((prev) => (prev.state === 'ok' && !(err instanceof ApiError && err.status < 500) ? prev : failure));
      }
      if (refreshMs > 0 && !cancelled) timer = setTimeout(() => void run(), refreshMs);
    };
    void run();
    return () => {
      cancelled = true;
      if (timer !== undefined) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return [value, reload];
}
