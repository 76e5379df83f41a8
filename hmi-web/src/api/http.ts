import { ApiError, BadResponseError, NetworkError, NotAvailableError } from './errors.js';
import { parseAssistantTurn, parseDrivingContext, parseOtaStatus, parseStoredTurns, parseTrips, parseTripSummary } from './parse.js';
import { ROUTES } from './routes.js';
import type {
  ActuationResult,
  AssistantTurn,
  DrivingContext,
  Health,
  HistorySample,
  Lang,
  OtaStatus,
  SignalSnapshot,
  SignalSpec,
  SignalValue,
  StoredTurn,
  TripInfo,
  TripSummary,
} from './types.js';

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** Origin of the service; '' = the page's own origin (the HMI is served by vehicle-service). */
  baseUrl?: string;
  fetch?: FetchLike;
  /** Per-request limit for reads (ms). Actuations get actuationTimeoutMs. */
  timeoutMs?: number;
  /** An actuation answers when the car confirmed; window travel takes seconds. */
  actuationTimeoutMs?: number;
}

/** The service's "no such route" code: the feature is not on this service (yet). */
const NO_ROUTE = 'AURIGA_ERR_API_NOT_FOUND';

/**
 * Typed client of the vehicle-service HTTP API. Errors: NotAvailableError (route missing),
 * ApiError (any other error status, with the service's code and message), NetworkError
 * (unreachable or timed out), BadResponseError (2xx with an unexpected body).
 */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;
  private readonly actuationTimeoutMs: number;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.actuationTimeoutMs = options.actuationTimeoutMs ?? 30_000;
  }

  signals(prefix?: string): Promise<SignalSnapshot[]> {
    return this.json('GET', prefix ? `${ROUTES.signals}?prefix=${encodeURIComponent(prefix)}` : ROUTES.signals);
  }

  signal(path: string): Promise<SignalSnapshot> {
    return this.json('GET', ROUTES.signal(path));
  }

  history(path: string, query: { from?: number; to?: number; limit?: number } = {}): Promise<HistorySample[]> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(Math.round(v)));
    const qs = params.toString();
    return this.json('GET', qs ? `${ROUTES.history(path)}?${qs}` : ROUTES.history(path));
  }

  /** Asks the car to move an actuator; resolves with confirmed | refused | failed | timeout. */
  setSignal(path: string, value: SignalValue): Promise<ActuationResult> {
    return this.json('PUT', ROUTES.signal(path), { value }, this.actuationTimeoutMs);
  }

  catalog(): Promise<SignalSpec[]> {
    return this.json('GET', ROUTES.catalog);
  }

  /** /healthz answers 503 with the same body while failing: that is a health, not an error. */
  async health(): Promise<Health> {
    const res = await this.request('GET', ROUTES.health, undefined, this.timeoutMs);
    if (res.status === 200 || res.status === 503) return (await readJson(res, ROUTES.health)) as Health;
    throw await toApiError(res, ROUTES.health);
  }

  /**
   * A typed command. `speak` asks for the spoken answer too; `sessionId` (from the previous answer)
   * lets follow-ups such as "and the passenger side too" refer to it.
   */
  async text(text: string, lang: Lang, options: { sessionId?: string; speak?: boolean } = {}): Promise<AssistantTurn> {
    const body = { text, lang, ...(options.sessionId ? { sessionId: options.sessionId } : {}), ...(options.speak ? { speak: true } : {}) };
    return parseAssistantTurn(await this.json('POST', ROUTES.text, body, this.actuationTimeoutMs), ROUTES.text);
  }

  async assistantTurns(limit = 20): Promise<StoredTurn[]> {
    return parseStoredTurns(await this.json('GET', `${ROUTES.assistantTurns}?limit=${limit}`), ROUTES.assistantTurns);
  }

  /** Whether the voice WebSocket exists: a plain GET answers 426 (upgrade required) when it does. */
  async hasVoiceStream(): Promise<boolean> {
    const res = await this.request('GET', ROUTES.voiceStream, undefined, this.timeoutMs);
    if (res.status === 426 || res.ok) return true;
    const err = await toApiError(res, ROUTES.voiceStream);
    if (err instanceof NotAvailableError) return false;
    throw err;
  }

  async context(): Promise<DrivingContext> {
    return parseDrivingContext(await this.json('GET', ROUTES.context), ROUTES.context);
  }

  async trips(): Promise<TripInfo[]> {
    return parseTrips(await this.json('GET', ROUTES.trips), ROUTES.trips);
  }

  /** `id` may be 'current' for the trip in progress. */
  async tripSummary(id: string, lang: Lang): Promise<TripSummary> {
    const route = ROUTES.tripSummary(id, lang);
    return parseTripSummary(await this.json('GET', route), route);
  }

  async ota(): Promise<OtaStatus> {
    return parseOtaStatus(await this.json('GET', ROUTES.ota), ROUTES.ota);
  }

  /** The driver's answer for the update waiting for consent; resolves with the new status. */
  async otaConsent(assignmentId: number, accept: boolean): Promise<OtaStatus> {
    return parseOtaStatus(await this.json('POST', ROUTES.otaConsent, { assignmentId, accept }), ROUTES.otaConsent);
  }

  private async json<T>(method: string, route: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    const res = await this.request(method, route, body, timeoutMs);
    if (!res.ok) throw await toApiError(res, route);
    return (await readJson(res, route)) as T;
  }

  private async request(method: string, route: string, body: unknown, timeoutMs: number): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const init: RequestInit = { method, signal: controller.signal, headers: { accept: 'application/json' } };
      if (body !== undefined) {
        init.headers = { accept: 'application/json', 'content-type': 'application/json' };
        init.body = JSON.stringify(body);
      }
      return await this.fetchImpl(`${this.baseUrl}${route}`, init);
    } catch (err) {
      if (controller.signal.aborted) throw new NetworkError(`${method} ${route}: no answer within ${timeoutMs} ms`, true);
      throw new NetworkError(`${method} ${route}: ${(err as Error).message || 'service unreachable'}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

async function readJson(res: Response, route: string): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    throw new BadResponseError(route, 'not JSON');
  }
}

/** The error body of the service, or a plain status when the body is not its JSON. */
export async function toApiError(res: Response, route: string): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = `${route} answered ${res.status}`;
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (typeof body === 'object' && body !== null) {
    const b = body as { code?: unknown; message?: unknown };
    if (typeof b.code === 'string') code = b.code;
    if (typeof b.message === 'string') message = b.message;
  }
  // A 404 is "not available" only when no route matched, not when a route says a thing is missing.
  if (res.status === 404 && (code === NO_ROUTE || body === undefined)) return new NotAvailableError(route.split('?')[0]!);
  return new ApiError(res.status, code, message);
}
