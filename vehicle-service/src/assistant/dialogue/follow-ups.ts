import type { CarModel } from '../car.js';
import { changeFanBy, changeTemperatureBy, changeVolumeBy, stepWindows, type PlanContext, type SessionMemory } from '../intents/index.js';
import { COMFORT_STEP_C, TEMPERATURE_STEP_C } from '../intents/climate.js';
import type { MissingSlot, Plan, PlannedRequest, Seat } from '../types.js';
import type { IntentFrame, LastAction } from './session.js';

/**
 * Pure follow-up logic: how "and the passenger side too", "a bit more", "a bit less", "cancel that"
 * and bare answers ("twenty two") turn into a new intent frame or plan, from what the session remembers.
 */

/** Intents whose zone / window / door a follow-up may change. */
const ZONE_SLOT: Readonly<Record<string, 'zone' | 'window' | 'door'>> = {
  setTemperature: 'zone',
  changeTemperature: 'zone',
  setSeatHeating: 'zone',
  openWindow: 'window',
  closeWindow: 'window',
  lockDoors: 'door',
  unlockDoors: 'door',
};

const DOOR_VALUES = new Set(['driver', 'passenger', 'rear', 'all']);

/** What is remembered for follow-ups: "I'm cold" is remembered as "warmer by the comfort step". */
export function frameForMemory(frame: IntentFrame): IntentFrame {
  if (frame.intent !== 'reportComfort') return frame;
  return {
    intent: 'changeTemperature',
    slots: { direction: frame.slots.feeling === 'hot' ? 'down' : 'up' },
    numbers: { amount: COMFORT_STEP_C },
  };
}

/** "and the passenger side too": the last intent again, for another zone or window. */
export function addZoneFrame(last: IntentFrame, said: Readonly<Record<string, string>>): IntentFrame | undefined {
  const slotName = ZONE_SLOT[last.intent];
  // A window only follows a window action ("the rear left window too" after a temperature is not a zone).
  const where = slotName === 'zone' ? said.zone : slotName === 'window' ? (said.window ?? said.zone) : (said.zone ?? said.window);
  if (!slotName || !where) return undefined;
  if (slotName === 'door' && !DOOR_VALUES.has(where)) return undefined;
  return { intent: last.intent, slots: { ...last.slots, [slotName]: where }, numbers: last.numbers };
}

/** A bare answer ("twenty two", "the passenger window") fills the slot the assistant asked for. */
export function fillSlotFrame(pending: IntentFrame, slot: MissingSlot, said: Readonly<Record<string, string>>, numbers: Readonly<Record<string, number>>): IntentFrame | undefined {
  const value = numbers.value;
  switch (slot) {
    case 'temperature':
      return value === undefined ? undefined : { ...pending, slots: { ...pending.slots, temperature: said.value ?? String(value) }, numbers: { ...pending.numbers, temperature: value } };
    case 'volume':
      return value === undefined ? undefined : { ...pending, slots: { ...pending.slots, volume: said.value ?? String(value) }, numbers: { ...pending.numbers, volume: value } };
    case 'fanLevel':
      return value === undefined ? undefined : { ...pending, slots: { ...pending.slots, level: said.value ?? String(value) }, numbers: { ...pending.numbers, level: value } };
    case 'window': {
      const w = said.window ?? said.zone;
      return w ? { ...pending, slots: { ...pending.slots, window: w } } : undefined;
    }
    case 'contact':
      return said.contact ? { ...pending, slots: { ...pending.slots, contact: said.contact } } : undefined;
    case 'place':
      return said.place ? { ...pending, slots: { ...pending.slots, place: said.place } } : undefined;
  }
}

/** "a bit more" (same direction) / "a bit less" (the other way) on the last change, from the current state. */
export function adjustPlan(last: LastAction, more: boolean, base: Omit<PlanContext, 'intent' | 'slots' | 'numbers'>): Plan | undefined {
  const { frame, plan } = last;
  const direction = plan.direction;
  if (!direction) return undefined;
  const dir = more ? direction : direction === 'up' ? 'down' : 'up';
  const ctx: PlanContext = { ...base, intent: frame.intent, slots: frame.slots, numbers: frame.numbers };
  switch (frame.intent) {
    case 'setTemperature':
    case 'changeTemperature':
      return changeTemperatureBy(ctx, dir, more && frame.intent === 'changeTemperature' ? (frame.numbers.amount ?? TEMPERATURE_STEP_C) : TEMPERATURE_STEP_C);
    case 'setFanSpeed':
    case 'changeFanSpeed':
      return changeFanBy(ctx, dir);
    case 'setVolume':
    case 'changeVolume':
      return changeVolumeBy(ctx, dir);
    case 'openWindow':
    case 'closeWindow':
      return stepWindows(ctx, plan.requests.map((r) => r.part), dir);
    default:
      return undefined;
  }
}

/** "cancel that" right after an action: put back what it changed (only what was confirmed and whose value before is known). */
export function undoPlan(last: LastAction): Plan | undefined {
  const requests: PlannedRequest[] = [];
  last.plan.requests.forEach((r, i) => {
    if (last.outcomes[i]?.status === 'confirmed' && r.previous !== undefined && r.previous !== r.value) {
      requests.push({ path: r.path, value: r.previous, part: r.part, previous: r.value });
    }
  });
  if (requests.length === 0) return undefined;
  return { kind: 'actions', op: 'undo', requests };
}

export type { CarModel, Seat, SessionMemory };
