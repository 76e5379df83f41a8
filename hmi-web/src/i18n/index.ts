import type { Lang } from '../api/types.js';
import { enUS, type MessageKey } from './en-US.js';
import { zhCN } from './zh-CN.js';

export type { MessageKey };
export const LANGS: readonly Lang[] = ['en-US', 'zh-CN'];

export const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { 'en-US': enUS, 'zh-CN': zhCN };

export type Vars = Record<string, string | number>;

/** The `{name}` placeholders of a message, sorted. */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}

export function isLang(value: unknown): value is Lang {
  return value === 'en-US' || value === 'zh-CN';
}

/** The message in `lang` with its placeholders filled (a missing variable stays visible as {name}). */
export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  const message = DICTIONARIES[lang][key] ?? enUS[key];
  if (!vars) return message;
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** Whether a key exists (for keys built from data, such as a situation or an update step). */
export function hasKey(key: string): key is MessageKey {
  return key in enUS;
}

/** Number formatting for the screen's language, with a fixed number of decimals. */
export function formatNumber(lang: Lang, value: number, decimals = 0): string {
  return new Intl.NumberFormat(lang, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
}

export function formatTime(lang: Lang, epochMs: number): string {
  return new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(epochMs);
}

/** A duration as h:mm:ss (or m:ss), the same in both languages. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** VSS unit symbols as a driver reads them. */
export function displayUnit(unit: string | null | undefined): string {
  switch (unit) {
    case 'celsius':
      return '°C';
    case 'percent':
      return '%';
    case 'l/100km':
      return 'L/100 km';
    case 'm/s^2':
      return 'm/s²';
    case 'degrees/s':
      return '°/s';
    case 'degrees':
      return '°';
    case null:
    case undefined:
      return '';
    default:
      return unit;
  }
}
