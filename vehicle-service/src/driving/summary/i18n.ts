import type { Lang } from '../types.js';
import type { Wheel } from '../signals.js';

/** Words and sentence templates of the summaries, en-US and zh-CN. Numbers come in already formatted from facts. */
export interface Phrases {
  wheel: Record<Wheel, string>;
  opening: (path: string) => string;
  warning: (path: string) => string;
  situation: Record<string, string>;
  tyre: (wheel: string, kpa: string, deficit?: string, rate?: string) => string;
  tyresOk: (min: string, max: string) => string;
  warningOn: (name: string) => string;
  noWarnings: string;
  doorMoving: (name: string, speed: string) => string;
  lowFuel: (pct: string, rangeKm?: string) => string;
  fuel: (pct: string, rangeKm?: string) => string;
  speeding: (count: string, max: string, limit: string) => string;
  longDrive: (minutes: string) => string;
  harsh: (parts: string[]) => string;
  harshPart: Record<'harsh_braking' | 'harsh_acceleration' | 'sharp_cornering', (n: string) => string>;
  adas: (n: string) => string;
  trip: (km: string, duration: string, avg: string, max: string) => string;
  duration: (value: string, unit: string) => string;
  consumption: (liters: string, per100: string) => string;
  situations: (parts: string[]) => string;
  situationPart: (name: string, pct: string) => string;
  style: (label: string, score: string) => string;
  styleLabel: (score: number) => string;
  empty: string;
  join: string;
}

const EN_WHEELS: Record<Wheel, string> = { FL: 'front left', FR: 'front right', RL: 'rear left', RR: 'rear right' };
const ZH_WHEELS: Record<Wheel, string> = { FL: '左前', FR: '右前', RL: '左后', RR: '右后' };

function openingName(path: string, zh: boolean): string {
  if (path.includes('Trunk')) return zh ? '后备箱' : 'the trunk';
  if (path.includes('Hood')) return zh ? '引擎盖' : 'the hood';
  const front = path.includes('Row1');
  const driver = path.includes('DriverSide');
  if (zh) return `${front ? (driver ? '左前' : '右前') : driver ? '左后' : '右后'}车门`;
  return `the ${front ? 'front' : 'rear'} ${driver ? 'left' : 'right'} door`;
}

function warningName(path: string, zh: boolean): string {
  if (path.includes('IsMILOn')) return zh ? '发动机故障灯' : 'the check-engine light';
  if (path.includes('DTCCount')) return zh ? '新的故障码' : 'a new fault code';
  if (path.includes('ABS')) return zh ? 'ABS 故障灯' : 'the ABS fault light';
  if (path.includes('ESC')) return zh ? '车身稳定系统故障灯' : 'the stability control fault light';
  return path;
}

const en: Phrases = {
  wheel: EN_WHEELS,
  opening: (p) => openingName(p, false),
  warning: (p) => warningName(p, false),
  situation: { parked: 'parked', stop_and_go: 'stop-and-go', city: 'city', rural: 'country roads', highway: 'highway' },
  tyre: (w, kpa, deficit, rate) =>
    `The ${w} tyre is losing pressure: ${kpa} kPa${deficit ? `, ${deficit} kPa below the others` : ''}${rate ? `, dropping ${rate} kPa per minute` : ''}. Check it soon.`,
  tyresOk: (min, max) => (min === max ? `All tyres are at ${min} kPa.` : `Tyre pressures are between ${min} and ${max} kPa.`),
  warningOn: (name) => `Warning: ${name} came on.`,
  noWarnings: 'No warning lights are on.',
  doorMoving: (name, speed) => `${capitalize(name)} was open while driving at ${speed} km/h.`,
  lowFuel: (pct, range) => `Fuel is low: ${pct}% left${range ? `, about ${range} km of range` : ''}.`,
  fuel: (pct, range) => `Fuel is at ${pct}%${range ? `, about ${range} km of range` : ''}.`,
  speeding: (count, max, limit) => `You drove over ${limit} km/h ${count === '1' ? 'once' : `${count} times`}, up to ${max} km/h.`,
  longDrive: (min) => `You have been driving for ${min} without a break; time for a rest.`,
  harsh: (parts) => `Driving events: ${parts.join(', ')}.`,
  harshPart: {
    harsh_braking: (n) => `${n} harsh braking`,
    harsh_acceleration: (n) => `${n} harsh acceleration`,
    sharp_cornering: (n) => `${n} sharp cornering`,
  },
  adas: (n) => `Driver assistance alerted you ${n === '1' ? 'once' : `${n} times`}.`,
  trip: (km, duration, avg, max) => `Trip: ${km} km in ${duration}, average ${avg} km/h, top speed ${max} km/h.`,
  duration: (v, unit) => (unit === 'h' ? `${v} h` : `${v} min`),
  consumption: (l, per) => `Fuel used: ${l} l, ${per} l per hundred km.`,
  situations: (parts) => `Mostly ${parts.join(', then ')}.`,
  situationPart: (name, pct) => `${name} (${pct}%)`,
  style: (label, score) => `Driving style: ${label} (score ${score}).`,
  styleLabel: (s) => (s < 30 ? 'smooth' : s < 60 ? 'moderate' : 'sporty'),
  empty: 'Nothing to report yet.',
  join: ' ',
};

const zh: Phrases = {
  wheel: ZH_WHEELS,
  opening: (p) => openingName(p, true),
  warning: (p) => warningName(p, true),
  situation: { parked: '停车', stop_and_go: '走走停停', city: '城市道路', rural: '乡村道路', highway: '高速公路' },
  tyre: (w, kpa, deficit, rate) =>
    `${w}轮胎压正在下降：${kpa} kPa${deficit ? `，比其他轮胎低 ${deficit} kPa` : ''}${rate ? `，每分钟下降 ${rate} kPa` : ''}。请尽快检查。`,
  tyresOk: (min, max) => (min === max ? `所有轮胎气压均为 ${min} kPa。` : `轮胎气压在 ${min} 到 ${max} kPa 之间。`),
  warningOn: (name) => `警告：${name}亮起。`,
  noWarnings: '没有警告灯亮起。',
  doorMoving: (name, speed) => `行驶中（${speed} km/h）${name}未关闭。`,
  lowFuel: (pct, range) => `油量低：剩余 ${pct}%${range ? `，约可行驶 ${range} 公里` : ''}。`,
  fuel: (pct, range) => `油量 ${pct}%${range ? `，约可行驶 ${range} 公里` : ''}。`,
  speeding: (count, max, limit) => `超过 ${limit} km/h 共 ${count} 次，最高 ${max} km/h。`,
  longDrive: (min) => `您已连续驾驶 ${min}，请注意休息。`,
  harsh: (parts) => `驾驶事件：${parts.join('，')}。`,
  harshPart: {
    harsh_braking: (n) => `急刹车 ${n} 次`,
    harsh_acceleration: (n) => `急加速 ${n} 次`,
    sharp_cornering: (n) => `急转弯 ${n} 次`,
  },
  adas: (n) => `驾驶辅助系统提醒了 ${n} 次。`,
  trip: (km, duration, avg, max) => `本次行程：${km} 公里，用时 ${duration}，平均 ${avg} km/h，最高 ${max} km/h。`,
  duration: (v, unit) => (unit === 'h' ? `${v} 小时` : `${v} 分钟`),
  consumption: (l, per) => `油耗：共 ${l} 升，百公里 ${per} 升。`,
  situations: (parts) => `主要路况：${parts.join('，')}。`,
  situationPart: (name, pct) => `${name}（${pct}%）`,
  style: (label, score) => `驾驶风格：${label}（评分 ${score}）。`,
  styleLabel: (s) => (s < 30 ? '平稳' : s < 60 ? '适中' : '激进'),
  empty: '暂无可报告的内容。',
  join: '',
};

export const PHRASES: Record<Lang, Phrases> = { 'en-US': en, 'zh-CN': zh };

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
