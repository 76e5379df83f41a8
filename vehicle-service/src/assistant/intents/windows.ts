import { PATHS, seatsFor } from '../car.js';
import type { Plan, PlannedRequest } from '../types.js';
import { actions, answer, request, type PlanContext, type Planner } from './common.js';

/** "a bit more" on an opened window opens it this much further. */
export const WINDOW_STEP_PERCENT = 20;

/**
 * "open the window" without saying which opens the requester's own (the driver's unless the
 * request came from another seat); "open all windows" opens every window.
 */
export const openWindow: Planner = (ctx) => {
  const seats = seatsFor(ctx.slots.window, ctx.seat);
  if (!seats) return answer('notUnderstood');
  const amount = ctx.numbers.amount ?? 100;
  const requests = seats.map((seat) => request(ctx, PATHS.window(seat), ctx.car.clamp(PATHS.window(seat), amount), { kind: 'window', seat }));
  return actions('open', requests, amount < 100 ? { value: { n: requests[0]!.value as number, unit: 'percent' }, direction: 'up' } : { direction: 'up' });
};

/** Fans out to every window that is open (or whose position is unknown); none open -> says so. */
export const closeWindow: Planner = (ctx) => {
  const seats = seatsFor(ctx.slots.window, ctx.seat);
  if (!seats) return answer('notUnderstood');
  const requests: PlannedRequest[] = [];
  for (const seat of seats) {
    const current = ctx.car.number(PATHS.window(seat));
    if (current === undefined || current > 0) requests.push(request(ctx, PATHS.window(seat), 0, { kind: 'window', seat }));
  }
  if (requests.length === 0) {
    return seats.length > 1 ? answer('nothingOpen', { parts: seats.map((seat) => ({ kind: 'window', seat }) as const) }) : answer('alreadyDone', { part: { kind: 'window', seat: seats[0]! }, op: 'close' });
  }
  return actions('close', requests, { direction: 'down' });
};

/** Opens (up) or closes (down) the given windows by a step from where they are. */
export function stepWindows(ctx: PlanContext, seats: readonly PlannedRequest['part'][], direction: 'up' | 'down'): Plan {
  const requests: PlannedRequest[] = [];
  for (const part of seats) {
    if (part.kind !== 'window') continue;
    const path = PATHS.window(part.seat);
    const current = ctx.car.number(path);
    if (current === undefined) continue;
    const target = ctx.car.clamp(path, current + (direction === 'up' ? WINDOW_STEP_PERCENT : -WINDOW_STEP_PERCENT));
    if (target !== current) requests.push(request(ctx, path, target, part));
  }
  if (requests.length === 0) return answer('nothingToAdjust');
  return actions(direction === 'up' ? 'open' : 'close', requests, { value: { n: requests[0]!.value as number, unit: 'percent' }, direction });
}

export const openSunroof: Planner = (ctx) => {
  const amount = ctx.numbers.amount ?? 100;
  const req = request(ctx, PATHS.sunroof, ctx.car.clamp(PATHS.sunroof, amount), { kind: 'sunroof' });
  return actions('open', [req], amount < 100 ? { value: { n: req.value as number, unit: 'percent' } } : {});
};

export const closeSunroof: Planner = (ctx) => actions('close', [request(ctx, PATHS.sunroof, 0, { kind: 'sunroof' })]);

/** Negative sunroof positions are tilt (VSS: -100 = fully tilted). */
export const tiltSunroof: Planner = (ctx) => actions('tilt', [request(ctx, PATHS.sunroof, ctx.car.clamp(PATHS.sunroof, -100), { kind: 'sunroof' })]);

export const WINDOW_PLANNERS: Record<string, Planner> = { openWindow, closeWindow, openSunroof, closeSunroof, tiltSunroof };
