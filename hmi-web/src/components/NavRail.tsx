import type { JSX } from 'preact';
import type { MessageKey } from '../i18n/index.js';
import { SCREENS, type ScreenName } from '../state/app.js';
import { useApp, useI18n, useObservable } from '../state/hooks.js';
import { AssistantIcon, CarIcon, GlobeIcon, MoonIcon, RouteIcon, UpdateIcon } from './icons.js';

const ICONS: Record<ScreenName, () => JSX.Element> = {
  assistant: () => <AssistantIcon />,
  vehicle: () => <CarIcon />,
  drive: () => <RouteIcon />,
  updates: () => <UpdateIcon />,
};

/** The screens as tabs, then the theme and language switches. */
export function NavRail() {
  const app = useApp();
  const { t } = useI18n();
  const screen = useObservable(app.screen);
  const settings = useObservable(app.settings);
  const go = (s: ScreenName) => {
    app.screen.set(s);
    history.replaceState(null, '', `#${s}`);
  };
  return (
    <nav class="nav" aria-label={t('app.screens')}>
      <div class="nav-tabs" role="tablist" aria-orientation="vertical">
        {SCREENS.map((s) => (
          <button
            type="button"
            role="tab"
            id={`tab-${s}`}
            aria-controls="screen"
            aria-selected={screen === s}
            tabIndex={screen === s ? 0 : -1}
            class={`nav-tab ${screen === s ? 'selected' : ''}`}
            onClick={() => go(s)}
            onKeyDown={(e) => {
              const i = SCREENS.indexOf(s);
              const next = e.key === 'ArrowDown' ? SCREENS[(i + 1) % SCREENS.length] : e.key === 'ArrowUp' ? SCREENS[(i + SCREENS.length - 1) % SCREENS.length] : undefined;
              if (next) {
                e.preventDefault();
                go(next);
                document.getElementById(`tab-${next}`)?.focus();
              }
            }}
          >
            {ICONS[s]()}
            <span>{t(`nav.${s}` as MessageKey)}</span>
          </button>
        ))}
      </div>
      <div class="nav-settings">
        <button
          type="button"
          class={`nav-setting ${settings.theme === 'night' ? 'on' : ''}`}
          aria-pressed={settings.theme === 'night'}
          aria-label={t('settings.nightLabel')}
          onClick={() => app.setSettings({ theme: settings.theme === 'night' ? 'day' : 'night' })}
        >
          <MoonIcon size={24} />
          <span>{t('settings.night')}</span>
        </button>
        <button
          type="button"
          class="nav-setting"
          lang={settings.lang === 'en-US' ? 'zh-CN' : 'en-US'}
          aria-label={`${t('settings.language')}: ${t('settings.otherLanguage')}`}
          onClick={() => app.setSettings({ lang: settings.lang === 'en-US' ? 'zh-CN' : 'en-US' })}
        >
          <GlobeIcon size={24} />
          <span>{t('settings.otherLanguage')}</span>
        </button>
      </div>
    </nav>
  );
}
