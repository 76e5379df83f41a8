import { useEffect, useState } from 'preact/hooks';
import type { MessageKey } from '../i18n/index.js';
import { useApp, useI18n, useObservable } from '../state/hooks.js';

/** Screen title, connection state and the time. */
export function TopBar() {
  const app = useApp();
  const { t, lang } = useI18n();
  const screen = useObservable(app.screen);
  const banner = useObservable(app.banner);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 10_000);
    return () => clearInterval(id);
  }, []);
  const state = banner === null ? 'live' : banner.kind === 'vehicle-stale' ? 'stale' : 'offline';
  const stateKey: MessageKey = state === 'live' ? 'status.live' : state === 'stale' ? 'status.stale' : 'status.offline';
  return (
    <header class="topbar">
      <h1>{t(`nav.${screen}` as MessageKey)}</h1>
      <span class={`conn-pill ${state}`} data-connection={state}>
        <span class="conn-dot" aria-hidden="true" />
        {t(stateKey)}
      </span>
      <time class="clock" dateTime={new Date(now).toISOString()}>
        {new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hour12: false }).format(now)}
      </time>
    </header>
  );
}
