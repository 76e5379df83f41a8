import { PATHS } from '../car.js';
import type { Plan } from '../types.js';
import { actions, answer, ask, request, unknownValue, type PlanContext, type Planner } from './common.js';

/** The context's volume levels (0-30) over the catalog's Volume percent. */
export const VOLUME_LEVELS = 30;
/** One "louder" / "quieter", in levels. */
export const VOLUME_STEP_LEVELS = 3;
/** "unmute" when the volume before "mute" is unknown. */
const UNMUTE_DEFAULT_LEVEL = 10;

const toPercent = (level: number) => Math.round((level / VOLUME_LEVELS) * 100);
const toLevel = (pct: number) => Math.round((pct / 100) * VOLUME_LEVELS);

function volumeTo(ctx: PlanContext, level: number, op: 'set' | 'raise' | 'lower' | 'unmute', direction?: 'up' | 'down'): Plan {
  const clamped = Math.max(0, Math.min(VOLUME_LEVELS, Math.round(level)));
  const req = request(ctx, PATHS.volume, ctx.car.clamp(PATHS.volume, toPercent(clamped)), { kind: 'volume' });
  return actions(op, [req], { value: { n: clamped, unit: 'level', of: VOLUME_LEVELS }, ...(direction ? { direction } : {}) });
}

export function changeVolumeBy(ctx: PlanContext, direction: 'up' | 'down'): Plan {
  const current = ctx.car.number(PATHS.volume);
  if (current === undefined) return unknownValue({ kind: 'volume' });
  const level = Math.max(0, Math.min(VOLUME_LEVELS, toLevel(current) + (direction === 'up' ? VOLUME_STEP_LEVELS : -VOLUME_STEP_LEVELS)));
  if (toPercent(level) === current) return answer('atLimit', { part: { kind: 'volume' }, value: { n: level, unit: 'level', of: VOLUME_LEVELS }, op: direction === 'up' ? 'raise' : 'lower' });
  return volumeTo(ctx, level, direction === 'up' ? 'raise' : 'lower', direction);
}

export const changeVolume: Planner = (ctx) => changeVolumeBy(ctx, ctx.slots.direction === 'down' ? 'down' : 'up');

export const setVolume: Planner = (ctx) => {
  const level = ctx.numbers.volume ?? ctx.numbers.value;
  return level === undefined ? ask('volume') : volumeTo(ctx, level, 'set');
};

export const mute: Planner = (ctx) => {
  const current = ctx.car.number(PATHS.volume);
  if (current !== undefined && current > 0) ctx.memory.volumeBeforeMute = current;
  return actions('mute', [request(ctx, PATHS.volume, 0, { kind: 'volume' })]);
};

export const unmute: Planner = (ctx) => {
  const pct = ctx.memory.volumeBeforeMute;
  return volumeTo(ctx, pct !== undefined ? toLevel(pct) : UNMUTE_DEFAULT_LEVEL, 'unmute');
};

const mediaAction = (op: 'nextTrack' | 'previousTrack' | 'pause' | 'resume', value: string): Planner =>
  (ctx) => actions(op, [request(ctx, PATHS.mediaAction, value, { kind: 'media' })]);

/** Context source names -> VSS Media.Played.Source values. */
const SOURCES: Record<string, string> = { radio: 'FM', 'am radio': 'AM', dab: 'DAB', bluetooth: 'BLUETOOTH', usb: 'USB' };

export const setMediaSource: Planner = (ctx) => {
  const source = SOURCES[ctx.slots.source ?? ''];
  if (!source) return answer('notUnderstood');
  return actions('set', [request(ctx, PATHS.mediaSource, source, { kind: 'mediaSource' })], { name: source });
};

export const MEDIA_PLANNERS: Record<string, Planner> = {
  changeVolume,
  setVolume,
  mute,
  unmute,
  nextTrack: mediaAction('nextTrack', 'SKIP_FORWARD'),
  previousTrack: mediaAction('previousTrack', 'SKIP_BACKWARD'),
  pauseMedia: mediaAction('pause', 'STOP'),
  resumeMedia: mediaAction('resume', 'PLAY'),
  setMediaSource,
};
