import type { SignalValue } from '@auriga/common';

/**
 * The vehicle policy: pure rules deciding whether an actuation request may be sent to the car,
 * given what the service knows about the car right now. Each rule has a stable id (logged, stored,
 * returned to clients) and a plain-English reason.
 */
export interface PolicySettings {
  walkingSpeedKmh: number;
  highwaySpeedKmh: number;
  highwayMaxOpeningPercent: number;
}

export interface PolicyRequest {
  path: string;
  value: SignalValue;
}

export interface PolicyContext {
  /** Current vehicle speed; undefined when unknown or stale (counts as moving). */
  speedKmh: number | undefined;
  /** The ECU that owns the actuator (sender of its status message), for the messages. */
  ownerEcu: string;
  /** True when the owning ECU's status message is stale (or never arrived). */
  ecuStatusStale: boolean;
}

export type PolicyDecision = { allowed: true } | { allowed: false; ruleId: string; reason: string };

export interface PolicyRule {
  readonly id: string;
  readonly description: string;
  /** undefined = the rule does not object; otherwise the reason for refusing. */
  check(request: PolicyRequest, context: PolicyContext, settings: PolicySettings): string | undefined;
}

/** Doors, trunks, tailgate and hood: anything a person could fall out of or that could fly open. */
const OPENING_PATHS = [
  /^Vehicle\.Cabin\.Door\.[^.]+\.[^.]+\.IsOpen$/,
  /^Vehicle\.Body\.Trunk\.[^.]+\.IsOpen$/,
  /^Vehicle\.Body\.Trunk\.IsOpen$/,
  /^Vehicle\.Body\.Hood\.IsOpen$/,
  /^Vehicle\.Body\.Tailgate\.IsOpen$/,
];
/** Position actuators in percent where 0 = closed, 100 = fully open (negative sunroof values = tilt). */
const WINDOW_PATHS = [
  /^Vehicle\.Cabin\.Door\.[^.]+\.[^.]+\.Window\.Position$/,
  /^Vehicle\.Cabin\.Sunroof\.Position$/,
];

export const isOpeningPath = (path: string): boolean => OPENING_PATHS.some((re) => re.test(path));
export const isWindowPath = (path: string): boolean => WINDOW_PATHS.some((re) => re.test(path));

function describeSpeed(speedKmh: number | undefined): string {
  return speedKmh === undefined ? 'the vehicle speed is unknown (so the car is treated as moving)' : `the car is moving at ${round(speedKmh)} km/h`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function partName(path: string): string {
  return path.replace(/^Vehicle\./, '').replace(/\.IsOpen$|\.Position$/, '').replaceAll('.', ' ');
}

export const POLICY_RULES: readonly PolicyRule[] = [
  {
    id: 'ecu-status-stale',
    description: 'No actuation while the status of the owning ECU is stale: the request could not be checked or confirmed.',
    check: (_req, ctx) =>
      ctx.ecuStatusStale
        ? `the ${ctx.ownerEcu} ECU has not reported its status recently, so the request can be neither checked nor confirmed`
        : undefined,
  },
  {
    id: 'no-opening-above-walking-speed',
    description: 'Doors, trunk and hood may only be opened at or below walking speed.',
    check: (req, ctx, s) => {
      if (!isOpeningPath(req.path) || req.value !== true) return undefined;
      if (ctx.speedKmh !== undefined && Math.abs(ctx.speedKmh) <= s.walkingSpeedKmh) return undefined;
      return `${partName(req.path)} may only be opened at or below ${s.walkingSpeedKmh} km/h and ${describeSpeed(ctx.speedKmh)}`;
    },
  },
  {
    id: 'window-opening-limited-at-highway-speed',
    description: 'At highway speed windows and the sunroof may open only up to the configured limit.',
    check: (req, ctx, s) => {
      if (!isWindowPath(req.path) || typeof req.value !== 'number') return undefined;
      if (req.value <= s.highwayMaxOpeningPercent) return undefined;
      if (ctx.speedKmh !== undefined && Math.abs(ctx.speedKmh) < s.highwaySpeedKmh) return undefined;
      return `${partName(req.path)} may open at most ${s.highwayMaxOpeningPercent}% from ${s.highwaySpeedKmh} km/h and ${describeSpeed(ctx.speedKmh)} (asked for ${round(req.value)}%)`;
    },
  },
];

/** Applies every rule in order; the first objection refuses the request. */
export function evaluatePolicy(
  request: PolicyRequest,
  context: PolicyContext,
  settings: PolicySettings,
  rules: readonly PolicyRule[] = POLICY_RULES,
): PolicyDecision {
  for (const rule of rules) {
    const reason = rule.check(request, context, settings);
    if (reason !== undefined) return { allowed: false, ruleId: rule.id, reason };
  }
  return { allowed: true };
}
