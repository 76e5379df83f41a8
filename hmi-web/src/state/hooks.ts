import { createContext } from 'preact';
import { useContext, useEffect, useReducer } from 'preact/hooks';
import type { Lang } from '../api/types.js';
import { formatNumber, translate, type MessageKey, type Vars } from '../i18n/index.js';
import type { AppModel } from './app.js';
import type { Observable, SignalStore } from './signals.js';

export const AppContext = createContext<AppModel | null>(null);

export function useApp(): AppModel {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp outside <AppContext.Provider>');
  return app;
}

/** Re-renders when the observable changes; returns its value. */
export function useObservable<T>(obs: Observable<T>): T {
  const [, force] = useReducer((n: number) => n + 1, 0);
  useEffect(() => obs.subscribe(() => force(undefined)), [obs]);
  return obs.value;
}

/** Re-renders (at most once a frame) when signals change; returns the store. */
export function useSignals(store: SignalStore): SignalStore {
  const [, force] = useReducer((n: number) => n + 1, 0);
  useEffect(() => store.subscribe(() => force(undefined)), [store]);
  return store;
}

export interface I18n {
  lang: Lang;
  t(key: MessageKey, vars?: Vars): string;
  n(value: number | undefined, decimals?: number): string;
}

export function useI18n(): I18n {
  const app = useApp();
  const { lang } = useObservable(app.settings);
  return {
    lang,
    t: (key, vars) => translate(lang, key, vars),
    n: (value, decimals = 0) => (value === undefined || !Number.isFinite(value) ? translate(lang, 'common.none') : formatNumber(lang, value, decimals)),
  };
}
