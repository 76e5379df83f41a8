import { isOpeningPath } from '../policy/policy.js';
import type { PlannedRequest } from './types.js';

/**
 * Actions the assistant asks about before doing ("Should I open the trunk?"). The vehicle policy
 * still decides afterwards; a request the policy would refuse anyway is not asked about.
 */
export interface ConfirmationContext {
  /** Current speed; undefined when unknown (treated as moving). */
  speedKmh: number | undefined;
  walkingSpeedKmh: number;
}

export interface ConfirmationRule {
  readonly id: string;
  readonly description: string;
  applies(request: PlannedRequest, ctx: ConfirmationContext): boolean;
}

const LOCK_PATH = /^Vehicle\.(Cabin\.Door\.[^.]+\.[^.]+|Body\.Trunk\.[^.]+)\.IsLocked$/;

export const CONFIRMATION_RULES: readonly ConfirmationRule[] = [
  {
    id: 'confirm-opening',
    description: 'Opening the trunk (or a door, or the hood) asks first: someone may stand behind the car, or the ceiling may be low.',
    applies: (r) => isOpeningPath(r.path) && r.value === true,
  },
  {
    id: 'confirm-unlock-while-moving',
    description: 'Unlocking the doors while the car moves asks first (a misheard "unlock" must not open the car in traffic).',
    applies: (r, ctx) => LOCK_PATH.test(r.path) && r.value === false && (ctx.speedKmh === undefined || Math.abs(ctx.speedKmh) > ctx.walkingSpeedKmh),
  },
];

/** The first rule that wants a confirmation for any of the requests. */
export function confirmationRuleFor(
  requests: readonly PlannedRequest[],
  ctx: ConfirmationContext,
  rules: readonly ConfirmationRule[] = CONFIRMATION_RULES,
): ConfirmationRule | undefined {
  for (const rule of rules) if (requests.some((r) => rule.applies(r, ctx))) return rule;
  return undefined;
}
