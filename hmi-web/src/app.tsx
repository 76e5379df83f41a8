import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { NavRail } from './components/NavRail.js';
import { TopBar } from './components/TopBar.js';
import type { AppModel, ScreenName } from './state/app.js';
import { AppContext, useApp, useObservable } from './state/hooks.js';
import { AssistantScreen } from './screens/Assistant.js';
import { DriveScreen } from './screens/Drive.js';
import { UpdatesScreen } from './screens/Updates.js';
import { VehicleScreen } from './screens/Vehicle.js';
import { cssVariables } from './theme/palette.js';

const SCREEN_VIEWS: Record<ScreenName, () => JSX.Element> = {
  assistant: AssistantScreen,
  vehicle: VehicleScreen,
  drive: DriveScreen,
  updates: UpdatesScreen,
};

function Shell() {
  const app = useApp();
  const screen = useObservable(app.screen);
  const { theme, lang } = useObservable(app.settings);
  // Theme colours as CSS variables, and the document language for fonts and screen readers.
  useEffect(() => {
    const root = document.documentElement;
    for (const [k, v] of Object.entries(cssVariables(theme))) root.style.setProperty(k, v);
    root.dataset.theme = theme;
    root.style.colorScheme = theme === 'night' ? 'dark' : 'light';
    root.lang = lang;
  }, [theme, lang]);
  const View = SCREEN_VIEWS[screen];
  return (
    <div class="shell">
      <NavRail />
      <div class="main">
        <TopBar />
        <ConnectionBanner />
        <main id="screen" class={`screen screen-${screen}`} role="tabpanel" aria-labelledby={`tab-${screen}`} data-screen={screen}>
          <View />
        </main>
      </div>
    </div>
  );
}

export function App(props: { model: AppModel }) {
  return (
    <AppContext.Provider value={props.model}>
      <Shell />
    </AppContext.Provider>
  );
}
