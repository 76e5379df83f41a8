import { AA_LARGE_OR_UI, AA_TEXT } from './contrast.js';

export type ThemeName = 'day' | 'night';

/** Every colour the screens use; CSS reads them as var(--name). */
export interface Palette {
  bg: string;
  surface: string;
  surfaceRaised: string;
  text: string;
  textMuted: string;
  /** Borders of controls and the car outline (UI component contrast). */
  line: string;
  accent: string;
  onAccent: string;
  ok: string;
  warn: string;
  danger: string;
  /** Banners: text on its own background. */
  warnBg: string;
  onWarnBg: string;
  dangerBg: string;
  onDangerBg: string;
  /** Chart series. */
  chartSpeed: string;
  chartConsumption: string;
  focus: string;
}

export const PALETTES: Record<ThemeName, Palette> = {
  day: {
    bg: '#eef1f5',
    surface: '#ffffff',
    surfaceRaised: '#e3e8ef',
    text: '#111827',
    textMuted: '#4a5361',
    line: '#6b7585',
    accent: '#0b57c4',
    onAccent: '#ffffff',
    ok: '#11703a',
    warn: '#8a5300',
    danger: '#b3261e',
    warnBg: '#fff1cc',
    onWarnBg: '#4d3000',
    dangerBg: '#fde4e2',
    onDangerBg: '#7f1b14',
    chartSpeed: '#0b57c4',
    chartConsumption: '#a3470a',
    focus: '#7a2fd1',
  },
  night: {
    bg: '#07090c',
    surface: '#12171e',
    surfaceRaised: '#1c232d',
    text: '#e8edf3',
    textMuted: '#a3adba',
    line: '#6f7b8b',
    accent: '#5aa2ff',
    onAccent: '#06101f',
    ok: '#4fd483',
    warn: '#f5b93a',
    danger: '#ff8078',
    warnBg: '#3a2900',
    onWarnBg: '#ffe19a',
    dangerBg: '#3f1412',
    onDangerBg: '#ffc2bd',
    chartSpeed: '#5aa2ff',
    chartConsumption: '#ffad66',
    focus: '#d0a6ff',
  },
};

/** Which colour sits on which, and the WCAG AA minimum it must reach. */
export const CONTRAST_PAIRS: ReadonlyArray<{ fg: keyof Palette; bg: keyof Palette; min: number; what: string }> = [
  { fg: 'text', bg: 'bg', min: AA_TEXT, what: 'text on the page' },
  { fg: 'text', bg: 'surface', min: AA_TEXT, what: 'text on cards' },
  { fg: 'text', bg: 'surfaceRaised', min: AA_TEXT, what: 'text on buttons and fields' },
  { fg: 'textMuted', bg: 'bg', min: AA_TEXT, what: 'labels on the page' },
  { fg: 'textMuted', bg: 'surface', min: AA_TEXT, what: 'labels on cards' },
  { fg: 'textMuted', bg: 'surfaceRaised', min: AA_TEXT, what: 'labels on buttons' },
  { fg: 'onAccent', bg: 'accent', min: AA_TEXT, what: 'primary button text' },
  { fg: 'accent', bg: 'surface', min: AA_TEXT, what: 'accent text and links on cards' },
  { fg: 'accent', bg: 'bg', min: AA_TEXT, what: 'selected tab text' },
  { fg: 'ok', bg: 'surface', min: AA_TEXT, what: 'confirmed status' },
  { fg: 'warn', bg: 'surface', min: AA_TEXT, what: 'warning status' },
  { fg: 'danger', bg: 'surface', min: AA_TEXT, what: 'refused / failed status' },
  { fg: 'onWarnBg', bg: 'warnBg', min: AA_TEXT, what: 'stale-data banner' },
  { fg: 'onDangerBg', bg: 'dangerBg', min: AA_TEXT, what: 'service-unavailable banner' },
  { fg: 'line', bg: 'surface', min: AA_LARGE_OR_UI, what: 'control borders and the car outline' },
  { fg: 'line', bg: 'surfaceRaised', min: AA_LARGE_OR_UI, what: 'field borders' },
  { fg: 'chartSpeed', bg: 'surface', min: AA_LARGE_OR_UI, what: 'speed line of the chart' },
  { fg: 'chartConsumption', bg: 'surface', min: AA_LARGE_OR_UI, what: 'consumption line of the chart' },
  { fg: 'focus', bg: 'bg', min: AA_LARGE_OR_UI, what: 'focus ring on the page' },
  { fg: 'focus', bg: 'surface', min: AA_LARGE_OR_UI, what: 'focus ring on cards' },
  { fg: 'accent', bg: 'surfaceRaised', min: AA_LARGE_OR_UI, what: 'level meter and toggles on fields' },
];

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** CSS custom properties of a theme, e.g. { '--text-muted': '#4a5361' }. */
export function cssVariables(theme: ThemeName): Record<string, string> {
  return Object.fromEntries(Object.entries(PALETTES[theme]).map(([k, v]) => [`--${kebab(k)}`, v]));
}
