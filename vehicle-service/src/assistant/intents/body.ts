import { PATHS, seatsFor } from '../car.js';
import type { LightId, Part, PlannedRequest } from '../types.js';
import { actions, answer, request, type PlanContext, type Planner } from './common.js';

/** `door` slot -> the lock actuators: a door, both rear doors, the trunk, or everything (absent = all). */
function lockRequests(ctx: PlanContext, locked: boolean): PlannedRequest[] {
  const door = ctx.slots.door;
  if (door === 'trunk') return [request(ctx, PATHS.trunkLock, locked, { kind: 'trunkLock' })];
  const seats = seatsFor(door ?? 'all', ctx.seat) ?? [];
  const requests = seats.map((seat) => request(ctx, PATHS.doorLock(seat), locked, { kind: 'doorLock', seat }));
  if (door === undefined || door === 'all') requests.push(request(ctx, PATHS.trunkLock, locked, { kind: 'trunkLock' }));
  return requests;
}

export const lockDoors: Planner = (ctx) => actions('lock', lockRequests(ctx, true));
export const unlockDoors: Planner = (ctx) => actions('unlock', lockRequests(ctx, false));

export const openTrunk: Planner = (ctx) => actions('open', [request(ctx, PATHS.trunk, true, { kind: 'trunk' })]);
export const closeTrunk: Planner = (ctx) => actions('close', [request(ctx, PATHS.trunk, false, { kind: 'trunk' })]);

/** Context light names -> lights this car can switch; high beams and ambient lighting are not switchable here. */
const LIGHTS: Record<string, LightId | undefined> = {
  headlights: 'headlights',
  'fog lights': 'fogLights',
  'hazard lights': 'hazards',
  'interior lights': 'interior',
  'reading light': 'interior',
};

export const setLights: Planner = (ctx) => {
  const light = LIGHTS[ctx.slots.light ?? 'headlights'];
  if (!light) return answer('notAvailable', { name: ctx.slots.light ?? '' });
  const part: Part = { kind: 'light', light };
  if (!ctx.car.canActuate(PATHS.light(light))) return answer('notAvailable', { part });
  const on = ctx.slots.state !== 'off';
  return actions(on ? 'turnOn' : 'turnOff', [request(ctx, PATHS.light(light), on, part)]);
};

export const BODY_PLANNERS: Record<string, Planner> = { lockDoors, unlockDoors, openTrunk, closeTrunk, setLights };
