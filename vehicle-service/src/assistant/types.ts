import type { SignalValue } from '@auriga/common';
import type { ActuationStatus } from '../store/types.js';

/** Languages the assistant answers in. */
export const ANSWER_LANGS = ['en-US', 'zh-CN'] as const;
export type AnswerLang = (typeof ANSWER_LANGS)[number];

/** Seats of the two-row car (left-hand drive: the driver sits front left). */
export const SEATS = ['driver', 'passenger', 'rearLeft', 'rearRight'] as const;
export type Seat = (typeof SEATS)[number];

/** Front climate zones (this car has no rear zone). */
export type ClimateZone = 'driver' | 'passenger';
export type DefrostTarget = 'front' | 'rear';
export type LightId = 'headlights' | 'fogLights' | 'hazards' | 'interior';

/** A thing in the car an answer names ("the rear left window"). */
export type Part =
  | { readonly kind: 'temperature'; readonly zone: ClimateZone }
  | { readonly kind: 'fan'; readonly zone: ClimateZone }
  | { readonly kind: 'seatHeating'; readonly zone: ClimateZone }
  | { readonly kind: 'window'; readonly seat: Seat }
  | { readonly kind: 'doorLock'; readonly seat: Seat }
  | { readonly kind: 'sunroof' }
  | { readonly kind: 'trunk' }
  | { readonly kind: 'trunkLock' }
  | { readonly kind: 'airConditioning' }
  | { readonly kind: 'defrost'; readonly target: DefrostTarget }
  | { readonly kind: 'light'; readonly light: LightId }
  | { readonly kind: 'volume' }
  | { readonly kind: 'media' }
  | { readonly kind: 'mediaSource' };

export type PartKind = Part['kind'];

/** A number with its unit, as answers show it. */
export interface Quantity {
  readonly n: number;
  readonly unit: 'celsius' | 'percent' | 'km' | 'kPa' | 'level';
  /** For levels: out of how many ("level 3 of 7"). */
  readonly of?: number;
}

/** What an action plan does, for the answer ("I opened ...", "I can't open ..."). */
export type Operation =
  | 'set' | 'raise' | 'lower' | 'open' | 'close' | 'tilt' | 'lock' | 'unlock' | 'turnOn' | 'turnOff'
  | 'nextTrack' | 'previousTrack' | 'pause' | 'resume' | 'mute' | 'unmute' | 'undo';

/** One actuation the plan asks for. `previous` is the value before (for "cancel that"). */
export interface PlannedRequest {
  readonly path: string;
  readonly value: SignalValue;
  readonly part: Part;
  readonly previous?: SignalValue;
}

/** Everything a rendered answer may need; each template uses what it needs. */
export interface AnswerParams {
  readonly parts?: readonly Part[];
  readonly part?: Part;
  readonly op?: Operation;
  readonly value?: Quantity;
  readonly by?: Quantity;
  readonly count?: number;
  /** Navigation: a place category ("gas station") rather than a place. */
  readonly category?: string;
  readonly total?: number;
  readonly name?: string;
  readonly fuelPercent?: number;
  readonly rangeKm?: number;
  readonly distanceKm?: number;
  readonly pressures?: ReadonlyArray<{ readonly tyre: TyreId; readonly kPa: number; readonly low: boolean }>;
  readonly warnings?: readonly WarningId[];
  readonly limitPercent?: number;
  readonly reason?: string;
  readonly slot?: MissingSlot;
  /** For refusals: the policy rule (or confirmation rule) id. */
  readonly ruleId?: string;
  /** For failures: what went wrong, in words the templates translate. */
  readonly failure?: FailureKind;
  /** For partial success: what did not work, part by part. */
  readonly failures?: readonly PartFailure[];
}

export type FailureKind = 'timeout' | 'fault' | 'busy' | 'notConnected' | 'stale' | 'other';

export interface PartFailure {
  readonly part: Part;
  readonly status: 'refused' | 'failed' | 'timeout';
  readonly ruleId?: string;
  readonly failure?: FailureKind;
  readonly limitPercent?: number;
  readonly reason?: string;
}

export type TyreId = 'frontLeft' | 'frontRight' | 'rearLeft' | 'rearRight';
export type WarningId =
  | 'checkEngine' | 'fuelLow' | 'tyrePressureLow' | 'washerFluidLow' | 'absFault' | 'escFault' | 'troubleCodes';
export type MissingSlot = 'temperature' | 'window' | 'fanLevel' | 'volume' | 'contact' | 'place';

/** A rendered answer: a template key and its parameters. */
export interface AnswerSpec {
  readonly key: AnswerKey;
  readonly params?: AnswerParams;
}

/** Every answer template (both languages must define each: checked by the compiler and a test). */
export const ANSWER_KEYS = [
  'done', 'alreadyDone', 'atLimit', 'partial', 'refused', 'failed', 'notUnderstood', 'askSlot', 'askConfirmation',
  'confirmationDeclined', 'confirmationExpired', 'cancelled', 'nothingToCancel', 'nothingToAdjust', 'notAvailable',
  'unknownValue', 'fuel', 'range', 'tyrePressures', 'tyrePressure', 'warnings', 'noWarnings', 'vehicleStatus',
  'driveSummary', 'driveSummaryUnavailable', 'phoneUnavailable', 'navigationUnavailable', 'help', 'nothingOpen',
  'internalError', 'nothingToConfirm',
] as const;
export type AnswerKey = (typeof ANSWER_KEYS)[number];

/** What a planner decided for one intent. */
export type Plan =
  | {
      readonly kind: 'actions';
      readonly op: Operation;
      readonly requests: readonly PlannedRequest[];
      /** What the answer shows as the new value ("to 22 °C"). */
      readonly value?: Quantity;
      /** The step of a relative change when the parts end at different values ("by 1 °C"). */
      readonly by?: Quantity;
      /** A name the answer shows as the new value (a media source). */
      readonly name?: string;
      /** For follow-ups ("a bit more"): the direction of the change, when it had one. */
      readonly direction?: 'up' | 'down';
    }
  | { readonly kind: 'answer'; readonly answer: AnswerSpec }
  | { readonly kind: 'ask'; readonly slot: MissingSlot; readonly answer: AnswerSpec };

/** An intent as the matcher (text) or the speech decoder reports it. */
export interface IntentInput {
  readonly isUnderstood: boolean;
  readonly intent?: string | undefined;
  readonly slots: Readonly<Record<string, string>>;
  readonly numbers?: Readonly<Record<string, number>>;
  readonly confidence?: number;
}

/** One action in the response: what was asked of the car and what came of it. */
export interface ActionOutcome {
  path: string;
  value: SignalValue;
  status: ActuationStatus;
  reason?: string;
  ruleId?: string;
}
