import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SignalCatalog, SignalValue } from '@auriga/common';
import type { ActuationResult } from '../actuation/actuation-service.js';
import { matchText } from '../context/match.js';
import type { CompiledContext } from '../context/types.js';
import { evaluatePolicy, type PolicySettings } from '../policy/policy.js';
import type { TurnRecord, VehicleStore } from '../store/types.js';
import type { Clock } from '../util/timers.js';
import { TypedEmitter } from '@auriga/common';
import { outcomeAnswer, renderAnswer } from './answers/index.js';
import { CarModel, PATHS, type StateView } from './car.js';
import { CONFIRMATION_RULES, confirmationRuleFor, type ConfirmationRule } from './confirmation.js';
import { addZoneFrame, adjustPlan, fillSlotFrame, frameForMemory, undoPlan } from './dialogue/follow-ups.js';
import { DialogueManager, type ActionsPlan, type DialogueSession, type IntentFrame, type PendingConfirmation } from './dialogue/session.js';
import { AssistantInputError } from './errors.js';
import { DIALOGUE_INTENTS, externalDomain, PLANNERS, type ExternalDomain, type ExternalHandler } from './intents/index.js';
import type { SpokenAnswer, Tts } from './tts/tts.js';
import { ANSWER_LANGS, SEATS, type ActionOutcome, type AnswerKey, type AnswerLang, type AnswerSpec, type IntentInput, type Plan, type Seat } from './types.js';

/** Intents a pending question restricts matching to first (a bare "twenty two" is an answer, not a command). */
const ANSWER_INTENTS = ['fillSlot', 'confirm', 'deny', 'cancel'];
/** Longest text accepted (characters). */
export const MAX_TEXT_CHARS = 500;

export interface AssistantOptions {
  /** The compiled car context typed text is matched against (the same one speech uses). */
  context: CompiledContext;
  state: StateView;
  catalog: SignalCatalog;
  actuation: { request(path: string, value: SignalValue, options: { source: string }): Promise<ActuationResult> };
  policy: PolicySettings;
  /** Where turns are stored; optional (tests of pure behaviour). */
  store?: Pick<VehicleStore, 'recordTurn'>;
  /** Local TTS (detectTts()); undefined = text answers only. */
  tts?: Tts | undefined;
  /** Phone and navigation integrations; absent = "not connected" answers. */
  externalHandlers?: Partial<Record<ExternalDomain, ExternalHandler>>;
  clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  logger: Logger;
  /** Monotonic ms for timings; default performance.now. */
  monotonic?: () => number;
  /** How long a confirmation question waits (ms); default 8000. */
  confirmationTimeoutMs?: number;
  /** Follow-ups ("a bit more") refer to an action at most this old (ms); default 60 000. */
  followUpWindowMs?: number;
  confirmationRules?: readonly ConfirmationRule[];
}

export interface TurnOptions {
  lang?: AnswerLang;
  /** Who is speaking; picks the window / zone when the request does not say. Default driver. */
  seat?: Seat;
  /** The conversation; default: one per seat. */
  sessionId?: string;
  /** Also synthesize the answer (when a TTS engine is present). */
  speak?: boolean;
  /** Stored with the turn: `text` (typed) or `voice`. Default text. */
  source?: 'text' | 'voice';
  /** Voice turns: the transcript and the audio duration, stored with the turn. */
  transcript?: string;
  audioDurationMs?: number;
}

export interface TurnTimings {
  understandMs: number;
  planMs: number;
  actMs: number;
  answerMs: number;
  ttsMs?: number;
  totalMs: number;
}

/** The answer to one turn; the HTTP and voice endpoints send it as JSON (audio separately). */
export interface AssistantResponse {
  turnId: string;
  sessionId: string;
  isUnderstood: boolean;
  /** The intent as understood (a follow-up keeps its own name: addZone, adjustMore...). */
  intent: string | null;
  /** For follow-ups and answers: the intent that was acted on (setTemperature for "and the passenger side too"). */
  resolvedIntent: string | null;
  slots: Record<string, string>;
  actions: ActionOutcome[];
  answer: { text: string; lang: AnswerLang; key: AnswerKey };
  /** True when the assistant asked something (a missing value, a confirmation) and waits for the reply. */
  expectsReply: boolean;
  timings: TurnTimings;
  /** The spoken answer (WAV) when asked for and a TTS engine is present. */
  audio?: SpokenAnswer;
}

interface AssistantEvents {
  /** A turn finished (typed, spoken or a confirmation timeout). */
  turn: [AssistantResponse];
  /** A confirmation question timed out: the assistant says "OK, I won't." on its own. */
  confirmationExpired: [AssistantResponse];
}

/** What a turn decided before talking to the car. */
interface Decision {
  resolvedIntent: string | null;
  plan: Plan;
  frame?: IntentFrame;
  /** Skip the confirmation question (the user just said yes). */
  confirmed?: boolean;
  /** A ready answer text (an external integration's). */
  text?: string;
}

/**
 * The assistant: typed text or a recognized intent -> plan against the live vehicle state ->
 * actuation requests (policy decides) -> a short answer in en-US or zh-CN, optionally spoken.
 * Keeps a small dialogue state per session for follow-ups, questions and confirmations.
 */
export class Assistant extends TypedEmitter<AssistantEvents> {
  private readonly car: CarModel;
  private readonly dialogue: DialogueManager;
  private readonly log: Logger;
  private readonly monotonic: () => number;
  private readonly pendingWrites = new Set<Promise<void>>();
  private closed = false;
  private activeContext: CompiledContext;

  constructor(private readonly opts: AssistantOptions) {
    super();
    this.activeContext = opts.context;
    this.car = new CarModel(opts.state, opts.catalog);
    this.log = opts.logger.child({ component: 'assistant' });
    this.monotonic = opts.monotonic ?? (() => performance.now());
    this.dialogue = new DialogueManager({
      clock: opts.clock,
      followUpWindowMs: opts.followUpWindowMs ?? 60_000,
      confirmationTimeoutMs: opts.confirmationTimeoutMs ?? 8000,
      onConfirmationExpired: (session, pending) => this.onConfirmationExpired(session, pending),
    });
  }

  /** Swaps the car context (an OTA voice-context update); a turn already matching keeps the one it started with. */
  setContext(context: CompiledContext): void {
    this.activeContext = context;
  }

  /** The car context in use now (speech decodes against the same one; it changes with OTA updates). */
  get context(): CompiledContext {
    return this.activeContext;
  }

  get ttsEngine(): string | undefined {
    return this.opts.tts?.engine;
  }

  /** A typed command: matched against the car context, then the same path as speech. */
  async handleText(text: string, options: TurnOptions = {}): Promise<AssistantResponse> {
    if (typeof text !== 'string' || text.trim() === '') throw AssistantInputError('text must be a non-empty string');
    if (text.length > MAX_TEXT_CHARS) throw AssistantInputError(`text is ${text.length} characters long; at most ${MAX_TEXT_CHARS}`);
    const started = this.monotonic();
    const session = this.dialogue.session(this.sessionIdOf(options));
    const waiting = session.pendingSlot !== undefined || session.pendingConfirmation !== undefined;
    let understanding = matchText(this.activeContext, text);
    if (waiting) {
      // An answer ("twenty two", "yes") read against the answer intents alone, unless the whole
      // context reads it at least as well (a new command replaces the question).
      const asAnswer = matchText(this.activeContext, text, { intents: ANSWER_INTENTS });
      if (asAnswer.isUnderstood && (!understanding.isUnderstood || asAnswer.confidence > understanding.confidence)) understanding = asAnswer;
    }
    return this.turn(understanding, { ...options, transcript: options.transcript ?? text }, started, this.monotonic() - started);
  }

  /** An intent from the speech decoder (or any other front end): the same path as typed text. */
  async handleIntent(intent: IntentInput, options: TurnOptions = {}): Promise<AssistantResponse> {
    return this.turn(intent, { source: 'voice', ...options }, this.monotonic(), 0);
  }

  private sessionIdOf(options: TurnOptions): string {
    return options.sessionId ?? `seat:${options.seat ?? 'driver'}`;
  }

  private async turn(input: IntentInput, options: TurnOptions, started: number, understandMs: number): Promise<AssistantResponse> {
    if (this.closed) throw AssistantInputError('the assistant is shutting down');
    const lang = options.lang ?? 'en-US';
    const seat = options.seat ?? 'driver';
    if (!(ANSWER_LANGS as readonly string[]).includes(lang)) throw AssistantInputError(`unsupported lang "${String(lang)}" (supported: ${ANSWER_LANGS.join(', ')})`);
    if (!(SEATS as readonly string[]).includes(seat)) throw AssistantInputError(`unknown seat "${String(seat)}" (known: ${SEATS.join(', ')})`);
    const sessionId = this.sessionIdOf(options);
    const session = this.dialogue.session(sessionId);
    const timestamp = this.opts.clock.now();

    const planStart = this.monotonic();
    let decision: Decision;
    try {
      decision = await this.decide(input, session, seat, lang);
    } catch (err) {
      this.log.error({ err, intent: input.intent }, 'assistant could not plan the intent');
      decision = { resolvedIntent: input.intent ?? null, plan: { kind: 'answer', answer: { key: 'internalError' } } };
    }
    const planMs = this.monotonic() - planStart;

    const actStart = this.monotonic();
    const { spec, actions, expectsReply } = await this.carryOut(decision, session, seat, lang);
    const actMs = this.monotonic() - actStart;

    const answerStart = this.monotonic();
    const text = decision.text ?? renderAnswer(spec, lang);
    const answerMs = this.monotonic() - answerStart;

    let audio: SpokenAnswer | undefined;
    let ttsMs: number | undefined;
    if (options.speak && this.opts.tts?.speaks(lang)) {
      const t = this.monotonic();
      audio = await this.opts.tts.synthesize(text, lang);
      ttsMs = this.monotonic() - t;
    }
    const timings: TurnTimings = { understandMs, planMs, actMs, answerMs, ...(ttsMs !== undefined ? { ttsMs } : {}), totalMs: this.monotonic() - started };
    const response: AssistantResponse = {
      turnId: randomUUID(),
      sessionId,
      isUnderstood: input.isUnderstood,
      intent: input.isUnderstood ? (input.intent ?? null) : null,
      resolvedIntent: decision.resolvedIntent,
      slots: { ...input.slots },
      actions,
      answer: { text, lang, key: spec.key },
      expectsReply,
      timings: roundTimings(timings),
      ...(audio ? { audio } : {}),
    };
    this.record(response, { timestamp, seat, source: options.source ?? 'text', input: options.transcript ?? '', ...(options.audioDurationMs !== undefined ? { audioDurationMs: options.audioDurationMs } : {}) });
    this.emit('turn', response);
    return response;
  }

  /** Understanding -> plan (commands, follow-ups, answers to questions). */
  private async decide(input: IntentInput, session: DialogueSession, seat: Seat, lang: AnswerLang): Promise<Decision> {
    const intent = input.isUnderstood ? input.intent : undefined;
    if (!intent) return { resolvedIntent: null, plan: { kind: 'answer', answer: { key: 'notUnderstood' } } };
    const frame: IntentFrame = { intent, slots: input.slots, numbers: input.numbers ?? {} };

    if ((DIALOGUE_INTENTS as readonly string[]).includes(intent)) return this.followUp(frame, session, seat);

    const planner = PLANNERS[intent];
    if (!planner) return { resolvedIntent: intent, plan: { kind: 'answer', answer: { key: 'notUnderstood' } } };
    // A new command replaces whatever was asked before.
    session.pendingSlot = undefined;
    this.dialogue.clearConfirmation(session);

    const domain = externalDomain(intent);
    const handler = domain ? this.opts.externalHandlers?.[domain] : undefined;
    if (handler) {
      const result = await handler.handle(intent, frame.slots, lang);
      return { resolvedIntent: intent, plan: { kind: 'answer', answer: { key: result.ok ? 'done' : 'failed' } }, text: result.text };
    }
    return { resolvedIntent: intent, frame, plan: this.plan(frame, session, seat) };
  }

  private plan(frame: IntentFrame, session: DialogueSession, seat: Seat): Plan {
    const planner = PLANNERS[frame.intent];
    if (!planner) return { kind: 'answer', answer: { key: 'notUnderstood' } };
    return planner({ ...frame, seat, car: this.car, memory: session.memory });
  }

  private followUp(said: IntentFrame, session: DialogueSession, seat: Seat): Decision {
    const answer = (key: AnswerKey): Decision => ({ resolvedIntent: said.intent, plan: { kind: 'answer', answer: { key } } });
    const replan = (frame: IntentFrame): Decision => ({ resolvedIntent: frame.intent, frame, plan: this.plan(frame, session, seat) });

    switch (said.intent) {
      case 'confirm':
      case 'deny': {
        const pending = this.dialogue.clearConfirmation(session);
        if (!pending) return answer('nothingToConfirm');
        if (said.intent === 'deny') return answer('confirmationDeclined');
        return { resolvedIntent: pending.frame.intent, frame: pending.frame, plan: pending.plan, confirmed: true };
      }
      case 'cancel': {
        if (this.dialogue.clearConfirmation(session) || session.pendingSlot) {
          session.pendingSlot = undefined;
          return answer('cancelled');
        }
        const undo = session.last ? undoPlan(session.last) : undefined;
        if (!undo) return answer('nothingToCancel');
        const frame = session.last!.frame;
        session.last = undefined;
        return { resolvedIntent: frame.intent, plan: undo, confirmed: true };
      }
      case 'fillSlot': {
        const pending = session.pendingSlot;
        if (pending) {
          const filled = fillSlotFrame(pending.frame, pending.slot, said.slots, said.numbers);
          if (!filled) return { resolvedIntent: pending.frame.intent, plan: { kind: 'ask', slot: pending.slot, answer: { key: 'askSlot', params: { slot: pending.slot } } }, frame: pending.frame };
          session.pendingSlot = undefined;
          return replan(filled);
        }
        // "the passenger side" right after an action: the same as "and the passenger side too".
        const again = session.last ? addZoneFrame(session.last.frame, said.slots) : undefined;
        return again ? replan(again) : answer('notUnderstood');
      }
      case 'addZone': {
        const again = session.last ? addZoneFrame(session.last.frame, said.slots) : undefined;
        return again ? replan(again) : answer('nothingToAdjust');
      }
      case 'adjustMore':
      case 'adjustLess': {
        const last = session.last;
        const plan = last ? adjustPlan(last, said.intent === 'adjustMore', { seat, car: this.car, memory: session.memory }) : undefined;
        return plan ? { resolvedIntent: last!.frame.intent, frame: last!.frame, plan } : answer('nothingToAdjust');
      }
      default:
        return answer('notUnderstood');
    }
  }

  /** Plan -> questions, confirmations or actuation requests (in parallel) -> the answer to give. */
  private async carryOut(decision: Decision, session: DialogueSession, seat: Seat, lang: AnswerLang): Promise<{ spec: AnswerSpec; actions: ActionOutcome[]; expectsReply: boolean }> {
    const { plan } = decision;
    if (plan.kind === 'answer') return { spec: plan.answer, actions: [], expectsReply: false };
    if (plan.kind === 'ask') {
      if (decision.frame) session.pendingSlot = { frame: decision.frame, slot: plan.slot, at: this.opts.clock.now() };
      return { spec: plan.answer, actions: [], expectsReply: true };
    }
    if (!decision.confirmed) {
      const rule = this.confirmationNeeded(plan);
      if (rule && decision.frame) {
        this.dialogue.askConfirmation(session, { frame: decision.frame, plan, ruleId: rule.id, lang, seat });
        return { spec: { key: 'askConfirmation', params: { op: plan.op, parts: plan.requests.map((r) => r.part), ruleId: rule.id } }, actions: [], expectsReply: true };
      }
    }
    const actions = await this.execute(plan);
    if (decision.frame && plan.op !== 'undo') session.last = { frame: frameForMemory(decision.frame), plan, outcomes: actions, at: this.opts.clock.now() };
    return { spec: outcomeAnswer(plan, actions), actions, expectsReply: false };
  }

  /** A confirmation rule applies and the policy would not refuse anyway (asking first would be pointless). */
  private confirmationNeeded(plan: ActionsPlan): ConfirmationRule | undefined {
    const speed = this.car.number(PATHS.speed);
    const ctx = { speedKmh: speed, walkingSpeedKmh: this.opts.policy.walkingSpeedKmh };
    const rules = this.opts.confirmationRules ?? CONFIRMATION_RULES;
    const rule = confirmationRuleFor(plan.requests, ctx, rules);
    if (!rule) return undefined;
    const asked = plan.requests.filter((r) => rule.applies(r, ctx));
    const policyRefusesAll = asked.every(
      (r) => !evaluatePolicy({ path: r.path, value: r.value }, { speedKmh: speed, ownerEcu: 'owning', ecuStatusStale: false }, this.opts.policy).allowed,
    );
    return policyRefusesAll ? undefined : rule;
  }

  /** Fan-out: every request at once; the actuation service queues per signal and confirms each. */
  private async execute(plan: ActionsPlan): Promise<ActionOutcome[]> {
    return Promise.all(
      plan.requests.map(async (r): Promise<ActionOutcome> => {
        try {
          const result = await this.opts.actuation.request(r.path, r.value, { source: 'assistant' });
          return {
            path: r.path,
            value: r.value,
            status: result.status,
            ...(result.reason !== undefined ? { reason: result.reason } : {}),
            ...(result.ruleId !== undefined ? { ruleId: result.ruleId } : {}),
          };
        } catch (err) {
          // Requests the service rejects before the car (invalid value, shutting down) are failures of this turn.
          return { path: r.path, value: r.value, status: 'failed', reason: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
  }

  private onConfirmationExpired(session: DialogueSession, pending: PendingConfirmation): void {
    const text = renderAnswer({ key: 'confirmationExpired' }, pending.lang);
    const response: AssistantResponse = {
      turnId: randomUUID(),
      sessionId: session.id,
      isUnderstood: true,
      intent: null,
      resolvedIntent: pending.frame.intent,
      slots: {},
      actions: [],
      answer: { text, lang: pending.lang, key: 'confirmationExpired' },
      expectsReply: false,
      timings: { understandMs: 0, planMs: 0, actMs: 0, answerMs: 0, totalMs: 0 },
    };
    this.record(response, { timestamp: this.opts.clock.now(), seat: pending.seat, source: 'timeout', input: '' });
    this.emit('confirmationExpired', response);
    this.emit('turn', response);
  }

  private record(r: AssistantResponse, extra: { timestamp: number; seat: Seat; source: string; input: string; audioDurationMs?: number }): void {
    const store = this.opts.store;
    if (!store) return;
    const turn: TurnRecord = {
      id: r.turnId,
      timestamp: extra.timestamp,
      sessionId: r.sessionId,
      seat: extra.seat,
      lang: r.answer.lang,
      source: extra.source,
      ...(extra.audioDurationMs !== undefined ? { audioDurationMs: extra.audioDurationMs } : {}),
      input: extra.input,
      isUnderstood: r.isUnderstood,
      ...(r.resolvedIntent ?? r.intent ? { intent: (r.resolvedIntent ?? r.intent)! } : {}),
      slots: r.slots,
      actions: r.actions.map((a) => ({ path: a.path, value: a.value, status: a.status, ...(a.reason !== undefined ? { reason: a.reason } : {}) })),
      answer: r.answer.text,
      answerKey: r.answer.key,
      timings: { ...r.timings },
    };
    // Stored off the answer's path: a slow disk must not delay what the driver hears.
    const write = store
      .recordTurn(turn)
      .catch((err: unknown) => this.log.error({ err, turn: turn.id }, 'could not store the assistant turn'))
      .finally(() => this.pendingWrites.delete(write));
    this.pendingWrites.add(write);
  }

  /** Resolves when every turn so far is stored. */
  async flush(): Promise<void> {
    while (this.pendingWrites.size > 0) await Promise.allSettled([...this.pendingWrites]);
  }

  /** Cancels pending confirmations (without answering) and waits for stored turns; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.dialogue.close();
    await this.flush();
  }
}

function roundTimings(t: TurnTimings): TurnTimings {
  const r = (n: number) => Math.round(n * 100) / 100;
  return {
    understandMs: r(t.understandMs),
    planMs: r(t.planMs),
    actMs: r(t.actMs),
    answerMs: r(t.answerMs),
    ...(t.ttsMs !== undefined ? { ttsMs: r(t.ttsMs) } : {}),
    totalMs: r(t.totalMs),
  };
}
