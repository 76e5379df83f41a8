import { PATHS, zonesFor } from '../car.js';
import type { ClimateZone, DefrostTarget, Plan, PlannedRequest } from '../types.js';
import { actions, answer, ask, notAvailable, request, unknownValue, type PlanContext, type Planner } from './common.js';

/** One "warmer" / "cooler" without an amount. */
export const TEMPERATURE_STEP_C = 1;
/** "I'm cold" / "I'm hot" moves the set point this much. */
export const COMFORT_STEP_C = 2;
/** The context's fan levels (1-7) over the catalog's FanSpeed percent. */
export const FAN_LEVELS = 7;
/** Level used by "turn on the fan" when it is off. */
export const FAN_DEFAULT_LEVEL = 3;
/** Seat heating levels (low, medium, high) over the catalog's Heating percent. */
export const SEAT_HEAT_LEVELS = 3;
export const SEAT_HEAT_DEFAULT_LEVEL = 2;

const roundHalf = (n: number) => Math.round(n * 2) / 2;

function zones(ctx: PlanContext): ClimateZone[] | undefined {
  return zonesFor(ctx.slots.zone, ctx.seat);
}

export const setTemperature: Planner = (ctx) => {
  const zs = zones(ctx);
  if (!zs) return notAvailable({ kind: 'temperature', zone: 'driver' });
  const wanted = ctx.numbers.temperature ?? ctx.numbers.value;
  if (wanted === undefined) return ask('temperature');
  const requests = zs.map((zone) => {
    const path = PATHS.temperature(zone);
    return request(ctx, path, ctx.car.clamp(path, roundHalf(wanted)), { kind: 'temperature', zone });
  });
  const value = requests[0]!.value as number;
  const before = requests[0]!.previous;
  const direction = typeof before === 'number' && before !== value ? (value > before ? 'up' : 'down') : undefined;
  return actions('set', requests, { value: { n: value, unit: 'celsius' }, ...(direction ? { direction } : {}) });
};

/** Raises or lowers the set point of each zone from its current value, clamped to the catalog. */
export function changeTemperatureBy(ctx: PlanContext, direction: 'up' | 'down', delta: number): Plan {
  const zs = zones(ctx);
  if (!zs) return notAvailable({ kind: 'temperature', zone: 'driver' });
  const requests: PlannedRequest[] = [];
  for (const zone of zs) {
    const path = PATHS.temperature(zone);
    const current = ctx.car.number(path);
    if (current === undefined) return unknownValue({ kind: 'temperature', zone });
    const target = ctx.car.clamp(path, roundHalf(current + (direction === 'up' ? delta : -delta)));
    if (target !== current) requests.push(request(ctx, path, target, { kind: 'temperature', zone }));
  }
  if (requests.length === 0) {
    const path = PATHS.temperature(zs[0]!);
    return answer('atLimit', { part: { kind: 'temperature', zone: zs[0]! }, value: { n: ctx.car.number(path)!, unit: 'celsius' }, op: direction === 'up' ? 'raise' : 'lower' });
  }
  const values = new Set(requests.map((r) => r.value));
  return actions(direction === 'up' ? 'raise' : 'lower', requests, {
    direction,
    ...(values.size === 1 ? { value: { n: requests[0]!.value as number, unit: 'celsius' as const } } : { by: { n: delta, unit: 'celsius' as const } }),
  });
}

export const changeTemperature: Planner = (ctx) => {
  const direction = ctx.slots.direction === 'down' ? 'down' : 'up';
  return changeTemperatureBy(ctx, direction, ctx.numbers.amount ?? TEMPERATURE_STEP_C);
};

/** "I'm cold": warm the requester's zone by a comfort step ("I'm hot": cool it). */
export const reportComfort: Planner = (ctx) => {
  const { zone: _ignored, ...slots } = ctx.slots;
  return changeTemperatureBy({ ...ctx, slots }, ctx.slots.feeling === 'hot' ? 'down' : 'up', COMFORT_STEP_C);
};

const levelToPercent = (level: number, levels: number) => Math.round((Math.max(0, Math.min(levels, level)) / levels) * 100);
const percentToLevel = (pct: number, levels: number) => Math.round((pct / 100) * levels);

/** The blower has no zone in the context: both front zones move together. */
export const setFanSpeed: Planner = (ctx) => {
  let level: number;
  if (ctx.slots.state === 'off') level = 0;
  else if (ctx.numbers.level !== undefined) level = Math.max(1, Math.min(FAN_LEVELS, Math.round(ctx.numbers.level)));
  else if (ctx.slots.state === 'on') {
    const current = ctx.car.number(PATHS.fan('driver'));
    level = current !== undefined && current > 0 ? Math.max(1, percentToLevel(current, FAN_LEVELS)) : FAN_DEFAULT_LEVEL;
  } else return ask('fanLevel');
  return fanTo(ctx, level);
};

export function changeFanBy(ctx: PlanContext, direction: 'up' | 'down'): Plan {
  const current = ctx.car.number(PATHS.fan('driver'));
  if (current === undefined) return unknownValue({ kind: 'fan', zone: 'driver' });
  const level = Math.max(0, Math.min(FAN_LEVELS, percentToLevel(current, FAN_LEVELS) + (direction === 'up' ? 1 : -1)));
  if (levelToPercent(level, FAN_LEVELS) === current) {
    return answer('atLimit', { part: { kind: 'fan', zone: 'driver' }, value: { n: level, unit: 'level', of: FAN_LEVELS }, op: direction === 'up' ? 'raise' : 'lower' });
  }
  const plan = fanTo(ctx, level);
  return plan.kind === 'actions' ? { ...plan, op: direction === 'up' ? 'raise' : 'lower', direction } : plan;
}

export const changeFanSpeed: Planner = (ctx) => changeFanBy(ctx, ctx.slots.direction === 'down' ? 'down' : 'up');

function fanTo(ctx: PlanContext, level: number): Plan {
  const requests = (['driver', 'passenger'] as const).map((zone) =>
    request(ctx, PATHS.fan(zone), ctx.car.clamp(PATHS.fan(zone), levelToPercent(level, FAN_LEVELS)), { kind: 'fan', zone }),
  );
  if (level === 0) return actions('turnOff', requests);
  return actions('set', requests, { value: { n: level, unit: 'level', of: FAN_LEVELS } });
}

export const setDefrost: Planner = (ctx) => {
  const targets: DefrostTarget[] = ctx.slots.target === 'rear' ? ['rear'] : ctx.slots.target === 'all' ? ['front', 'rear'] : ['front'];
  const on = ctx.slots.state !== 'off';
  return actions(
    on ? 'turnOn' : 'turnOff',
    targets.map((target) => request(ctx, PATHS.defrost(target), on, { kind: 'defrost', target })),
  );
};

export const setAirConditioning: Planner = (ctx) => {
  const on = ctx.slots.state !== 'off';
  return actions(on ? 'turnOn' : 'turnOff', [request(ctx, PATHS.airConditioning, on, { kind: 'airConditioning' })]);
};

/** Front seats only (this car has no rear seat heating). No state means on (medium). */
export const setSeatHeating: Planner = (ctx) => {
  const zs = zones(ctx);
  if (!zs) return notAvailable({ kind: 'seatHeating', zone: 'driver' });
  const off = ctx.slots.state === 'off';
  const level = off ? 0 : Math.max(1, Math.min(SEAT_HEAT_LEVELS, Math.round(ctx.numbers.level ?? SEAT_HEAT_DEFAULT_LEVEL)));
  return seatHeatingTo(ctx, zs, level);
};

export function seatHeatingTo(ctx: PlanContext, zs: readonly ClimateZone[], level: number): Plan {
  const requests = zs.map((zone) =>
    request(ctx, PATHS.seatHeating(zone), ctx.car.clamp(PATHS.seatHeating(zone), levelToPercent(level, SEAT_HEAT_LEVELS)), { kind: 'seatHeating', zone }),
  );
  if (level === 0) return actions('turnOff', requests);
  return actions('set', requests, { value: { n: level, unit: 'level', of: SEAT_HEAT_LEVELS } });
}

export const CLIMATE_PLANNERS: Record<string, Planner> = {
  setTemperature,
  changeTemperature,
  reportComfort,
  setFanSpeed,
  changeFanSpeed,
  setDefrost,
  setAirConditioning,
  setSeatHeating,
};
