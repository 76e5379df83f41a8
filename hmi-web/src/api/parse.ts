/**
 * Checks of the answers of the assistant, driving-context and OTA routes (their schemas live in
 * vehicle-service/src/api/routes/): the HMI shows what the service sends, and says so when the shape
 * is not what it expects, rather than rendering undefined. The foundation routes are trusted.
 */
import { BadResponseError } from './errors.js';
import type {
  AssistantAction,
  AssistantTurn,
  ContextEvent,
  DrivingContext,
  InstalledModel,
  OtaStatus,
  SignalValue,
  StoredTurn,
  SummaryFact,
  TripInfo,
  TripSummary,
} from './types.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isValue = (v: unknown): v is SignalValue => typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string';
const optString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const optNumber = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function need(cond: boolean, route: string, what: string): asserts cond {
  if (!cond) throw new BadResponseError(route, what);
}

const STATUSES = new Set(['confirmed', 'refused', 'failed', 'timeout']);

export function parseAssistantTurn(body: unknown, route: string): AssistantTurn {
  need(isObject(body), route, 'not a JSON object');
  need(typeof body.isUnderstood === 'boolean', route, 'isUnderstood is not a boolean');
  need(body.intent === null || body.intent === undefined || typeof body.intent === 'string', route, 'intent is not a string');
  const slots = body.slots === undefined || body.slots === null ? {} : body.slots;
  need(isObject(slots), route, 'slots is not an object');
  const actions = parseActions(body.actions ?? [], route);
  const answer = body.answer;
  need(isObject(answer) && typeof answer.text === 'string', route, 'answer.text is missing');
  // The spoken answer comes inline as base64 WAV ({audio: {format: 'wav', base64}}) or as a URL.
  const audio = isObject(answer.audio) && typeof answer.audio.base64 === 'string' && answer.audio.base64 !== '' ? `data:audio/wav;base64,${answer.audio.base64}` : undefined;
  const audioUrl = optString(answer.audioUrl) ?? audio;
  const turnId = optString(body.turnId);
  const sessionId = optString(body.sessionId);
  return {
    isUnderstood: body.isUnderstood,
    intent: typeof body.intent === 'string' ? body.intent : null,
    slots,
    actions,
    answer: { text: answer.text, lang: optString(answer.lang) ?? '', ...(audioUrl ? { audioUrl } : {}) },
    ...(turnId !== undefined ? { turnId } : {}),
    ...(sessionId !== undefined ? { sessionId } : {}),
    ...(typeof body.expectsReply === 'boolean' ? { expectsReply: body.expectsReply } : {}),
  };
}

function parseActions(raw: unknown, route: string): AssistantAction[] {
  need(Array.isArray(raw), route, 'actions is not a list');
  return raw.map((a, i) => {
    need(isObject(a) && typeof a.path === 'string', route, `actions[${i}].path is missing`);
    need(typeof a.status === 'string' && STATUSES.has(a.status), route, `actions[${i}].status is not confirmed|refused|failed|timeout`);
    const reason = optString(a.reason);
    return {
      path: a.path,
      value: isValue(a.value) ? a.value : String(a.value),
      status: a.status as AssistantAction['status'],
      ...(reason !== undefined ? { reason } : {}),
    };
  });
}

/** GET /v1/assistant/turns: stored turns, newest first; malformed entries are dropped. */
export function parseStoredTurns(body: unknown, route: string): StoredTurn[] {
  need(Array.isArray(body), route, 'not a list of turns');
  const out: StoredTurn[] = [];
  for (const t of body) {
    if (!isObject(t) || typeof t.id !== 'string' || typeof t.timestamp !== 'number' || typeof t.input !== 'string') continue;
    let actions: AssistantAction[] = [];
    try {
      actions = parseActions(t.actions ?? [], route);
    } catch {
      actions = [];
    }
    const duration = optNumber(t.audioDurationMs);
    const intent = optString(t.intent);
    out.push({
      id: t.id,
      timestamp: t.timestamp,
      source: optString(t.source) ?? 'text',
      ...(duration !== undefined ? { audioDurationMs: duration } : {}),
      input: t.input,
      isUnderstood: t.isUnderstood === true,
      ...(intent !== undefined ? { intent } : {}),
      slots: isObject(t.slots) ? (Object.fromEntries(Object.entries(t.slots).map(([k, v]) => [k, String(v)])) as Record<string, string>) : {},
      actions,
      answer: optString(t.answer) ?? '',
      lang: optString(t.lang) ?? '',
    });
  }
  return out;
}

const SEVERITIES = new Set(['info', 'warning', 'critical']);

export function parseDrivingContext(body: unknown, route: string): DrivingContext {
  need(isObject(body), route, 'not a JSON object');
  need(typeof body.situation === 'string', route, 'situation is not a string');
  const rawEvents = body.activeEvents ?? body.events ?? [];
  need(Array.isArray(rawEvents), route, 'activeEvents is not a list');
  const events: ContextEvent[] = rawEvents.filter(isObject).map((e) => ({
    kind: optString(e.kind) ?? optString(e.type) ?? 'event',
    severity: SEVERITIES.has(e.severity as string) ? (e.severity as ContextEvent['severity']) : 'info',
    subject: optString(e.subject) ?? '',
    path: optString(e.path) ?? '',
    value: isValue(e.value) ? e.value : null,
    unit: optString(e.unit) ?? '',
    at: optNumber(e.valueAt) ?? optNumber(e.startedAt) ?? 0,
  }));
  const confidence = optNumber(body.confidence);
  const style = optNumber(body.style);
  const tripId = optString(body.tripId);
  return {
    situation: body.situation,
    source: optString(body.source) ?? '',
    ...(confidence !== undefined ? { confidence } : {}),
    ...(style !== undefined ? { style } : {}),
    events,
    ...(tripId !== undefined ? { tripId } : {}),
  };
}

export function parseTrip(t: unknown, route: string): TripInfo {
  need(isObject(t), route, 'a trip is not an object');
  need(typeof t.id === 'string' || typeof t.id === 'number', route, 'a trip has no id');
  const startedAt = optNumber(t.startedAt);
  need(startedAt !== undefined, route, 'a trip has no startedAt');
  const raw = isObject(t.stats) ? t.stats : {};
  const stats: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'number' && Number.isFinite(v)) stats[k] = v;
  const situations: Record<string, number> = {};
  if (isObject(raw.situations)) for (const [k, v] of Object.entries(raw.situations)) if (typeof v === 'number') situations[k] = v;
  const endedAt = optNumber(t.endedAt) ?? null;
  return { id: String(t.id), startedAt, endedAt, inProgress: typeof t.inProgress === 'boolean' ? t.inProgress : endedAt === null, stats, situations };
}

export function parseTrips(body: unknown, route: string): TripInfo[] {
  const list = isObject(body) && Array.isArray(body.trips) ? body.trips : body;
  need(Array.isArray(list), route, 'not a list of trips');
  return list.map((t) => parseTrip(t, route));
}

export function parseTripSummary(body: unknown, route: string): TripSummary {
  need(isObject(body), route, 'not a JSON object');
  need(typeof body.text === 'string', route, 'text is missing');
  need(Array.isArray(body.facts), route, 'facts is not a list');
  const facts: SummaryFact[] = body.facts.map((f, i) => {
    need(isObject(f), route, `facts[${i}] is not an object`);
    return {
      id: optString(f.id) ?? String(i + 1),
      path: optString(f.path) ?? '',
      value: isValue(f.value) ? f.value : null,
      unit: optString(f.unit) ?? null,
      at: optNumber(f.at) ?? 0,
    };
  });
  return { text: body.text, lang: optString(body.lang) ?? '', facts };
}

export function parseOtaStatus(body: unknown, route: string): OtaStatus {
  need(isObject(body), route, 'not a JSON object');
  const rawModels = body.models ?? [];
  need(Array.isArray(rawModels), route, 'models is not a list');
  const models: InstalledModel[] = rawModels.filter(isObject).map((m) => {
    const prev = isObject(m.previous) ? m.previous : undefined;
    return {
      kind: optString(m.kind) ?? '',
      name: optString(m.name) ?? '?',
      version: optString(m.version) ?? '?',
      slot: optString(m.slot) ?? '',
      ...(prev ? { previous: { name: optString(prev.name) ?? '?', version: optString(prev.version) ?? '?', slot: optString(prev.slot) ?? '' } } : {}),
    };
  });
  let update: OtaStatus['update'] = null;
  if (isObject(body.update)) {
    const u = body.update;
    need(typeof u.step === 'string', route, 'update.step is missing');
    need(typeof u.assignmentId === 'number', route, 'update.assignmentId is missing');
    const received = optNumber(u.bytesReceived);
    update = {
      assignmentId: u.assignmentId,
      kind: optString(u.kind) ?? '',
      name: optString(u.name) ?? '',
      version: optString(u.version) ?? '',
      action: optString(u.action) ?? 'install',
      step: u.step,
      bytesTotal: optNumber(u.bytesTotal) ?? 0,
      ...(received !== undefined ? { bytesReceived: received } : {}),
      ...(u.waitingFor === 'parked' || u.waitingFor === 'consent' ? { waitingFor: u.waitingFor } : {}),
      ...(u.consent === 'granted' || u.consent === 'declined' ? { consent: u.consent } : {}),
    };
  }
  let lastResult: OtaStatus['lastResult'] = null;
  if (isObject(body.lastResult) && typeof body.lastResult.step === 'string') {
    const r = body.lastResult;
    const reason = optString(r.reason);
    lastResult = { step: r.step as string, name: optString(r.name) ?? '', version: optString(r.version) ?? '', at: optNumber(r.at) ?? 0, ...(reason !== undefined ? { reason } : {}) };
  }
  const lastError = isObject(body.lastError) && typeof body.lastError.reason === 'string' ? { at: optNumber(body.lastError.at) ?? 0, reason: body.lastError.reason } : null;
  return { phase: optString(body.phase) ?? '', models, update, lastResult, lastError };
}

/** Download progress 0..1 while downloading, when the size is known. */
export function updateProgress(u: OtaStatus['update']): number | undefined {
  if (!u || u.bytesReceived === undefined || !(u.bytesTotal > 0)) return undefined;
  return Math.max(0, Math.min(1, u.bytesReceived / u.bytesTotal));
}
