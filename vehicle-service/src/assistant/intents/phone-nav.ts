import type { AnswerLang } from '../types.js';
import { answer, type Planner } from './common.js';

/**
 * Phone and navigation intents have no vehicle signal: they belong to integrations (the phone over
 * Bluetooth HFP, a navigation engine) that this head unit build does not have. Without one the
 * assistant says plainly that it is not connected; an integration plugs in as an ExternalHandler.
 */
export const PHONE_INTENTS = ['callContact', 'answerCall', 'endCall'] as const;
export const NAVIGATION_INTENTS = ['navigateTo', 'findNearby', 'cancelNavigation', 'askArrivalTime'] as const;

export type ExternalDomain = 'phone' | 'navigation';

/** A phone or navigation integration: handles the intent and says what happened, in the asked language. */
export interface ExternalHandler {
  handle(intent: string, slots: Readonly<Record<string, string>>, lang: AnswerLang): Promise<{ ok: boolean; text: string }>;
}

export function externalDomain(intent: string): ExternalDomain | undefined {
  if ((PHONE_INTENTS as readonly string[]).includes(intent)) return 'phone';
  if ((NAVIGATION_INTENTS as readonly string[]).includes(intent)) return 'navigation';
  return undefined;
}

/** The answer when no integration is connected. */
const unavailable = (domain: ExternalDomain): Planner => (ctx) =>
  answer(domain === 'phone' ? 'phoneUnavailable' : 'navigationUnavailable', {
    ...(ctx.slots.contact ?? ctx.slots.place ? { name: (ctx.slots.contact ?? ctx.slots.place)! } : {}),
    ...(ctx.slots.category ? { category: ctx.slots.category } : {}),
  });

export const PHONE_NAV_PLANNERS: Record<string, Planner> = Object.fromEntries([
  ...PHONE_INTENTS.map((i) => [i, unavailable('phone')]),
  ...NAVIGATION_INTENTS.map((i) => [i, unavailable('navigation')]),
]);
