import type { CarModel } from '../car.js';
import type { AnswerKey, AnswerParams, MissingSlot, Operation, Part, Plan, PlannedRequest, Quantity, Seat } from '../types.js';

/** What a planner gets: the intent with its slots, who asked, and the live car. */
export interface PlanContext {
  readonly intent: string;
  readonly slots: Readonly<Record<string, string>>;
  readonly numbers: Readonly<Record<string, number>>;
  readonly seat: Seat;
  readonly car: CarModel;
  /** Per-session memory planners may use (the volume before "mute", for "unmute"). */
  readonly memory: SessionMemory;
}

export interface SessionMemory {
  volumeBeforeMute?: number;
}

export type Planner = (ctx: PlanContext) => Plan;

export function answer(key: AnswerKey, params?: AnswerParams): Plan {
  return params ? { kind: 'answer', answer: { key, params } } : { kind: 'answer', answer: { key } };
}

export function ask(slot: MissingSlot): Plan {
  return { kind: 'ask', slot, answer: { key: 'askSlot', params: { slot } } };
}

export function actions(op: Operation, requests: PlannedRequest[], extra: { value?: Quantity; by?: Quantity; name?: string; direction?: 'up' | 'down' } = {}): Plan {
  return { kind: 'actions', op, requests, ...extra };
}

/** A request with the value the part had before (for "cancel that"). */
export function request(ctx: PlanContext, path: string, value: PlannedRequest['value'], part: Part): PlannedRequest {
  const previous = ctx.car.value(path);
  return previous === undefined ? { path, value, part } : { path, value, part, previous };
}

export const notAvailable = (part: Part): Plan => answer('notAvailable', { part });
export const unknownValue = (part: Part): Plan => answer('unknownValue', { part });
