import { NotAvailableError, isNotAvailable } from '../api/errors.js';
import { ApiClient } from '../api/http.js';
import { ROUTES, webSocketUrl } from '../api/routes.js';
import { StreamClient, type StreamState } from '../api/stream.js';
import type { ActuationStatus, AssistantTurn, Lang, SignalSpec, SignalValue } from '../api/types.js';
import { isLang } from '../i18n/index.js';
import type { ThemeName } from '../theme/palette.js';
import { deriveBanner, HEARTBEAT_SIGNAL, type Banner, type HealthView } from './banner.js';
import { animationFrame, Observable, SignalStore } from './signals.js';

export type ScreenName = 'assistant' | 'vehicle' | 'drive' | 'updates';
export const SCREENS: readonly ScreenName[] = ['assistant', 'vehicle', 'drive', 'updates'];

export interface Settings {
  theme: ThemeName;
  lang: Lang;
}

/** The outcome of a control tap, shown beside the control until the next tap. */
export type ActuationView =
  | { state: 'pending'; at: number }
  | { state: ActuationStatus; reason?: string; at: number }
  | { state: 'error'; reason: string; at: number };

export interface TurnRecord {
  id: number;
  at: number;
  source: 'typed' | 'voice';
  /** The typed text, or the recording's duration in seconds for voice. */
  input: string;
  seconds?: number;
  result?: AssistantTurn;
  /** Set when the request failed (not when the assistant refused). */
  error?: string;
  /** The route is not on this service yet. */
  unavailable?: boolean;
}

const SETTINGS_KEY = 'auriga.hmi.settings';
const HEALTH_INTERVAL_MS = 5000;
const MAX_TURNS = 20;

function loadSettings(search: string): Settings {
  let stored: Partial<Settings> = {};
  try {
    stored = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<Settings>;
  } catch {
    stored = {};
  }
  const params = new URLSearchParams(search);
  const theme = params.get('theme') ?? stored.theme;
  const lang = params.get('lang') ?? stored.lang;
  return { theme: theme === 'night' ? 'night' : 'day', lang: isLang(lang) ? lang : 'en-US' };
}

function initialScreen(search: string, hash: string): ScreenName {
  const wanted = new URLSearchParams(search).get('screen') ?? hash.replace(/^#\/?/, '');
  return (SCREENS as readonly string[]).includes(wanted) ? (wanted as ScreenName) : 'assistant';
}

/** Everything the screens share: the API, the live signals, the connection, settings, history of turns. */
export class AppModel {
  readonly api: ApiClient;
  readonly signals = new SignalStore(animationFrame);
  readonly stream = new Observable<StreamState>({ status: 'closed', attempt: 0, retryAt: null, lastMessageAt: null, lastError: null });
  readonly health = new Observable<HealthView>({ health: null, failed: false });
  readonly settings: Observable<Settings>;
  readonly screen: Observable<ScreenName>;
  readonly catalog = new Observable<ReadonlyMap<string, SignalSpec>>(new Map());
  readonly turns = new Observable<readonly TurnRecord[]>([]);
  readonly actuations = new Observable<Readonly<Record<string, ActuationView>>>({});
  readonly banner = new Observable<Banner>({ kind: 'connecting' });
  private readonly streamClient: StreamClient;
  private healthTimer: ReturnType<typeof setInterval> | undefined;
  private everConnected = false;
  private nextTurnId = 1;
  /** The assistant's conversation, so follow-ups ("and the passenger side too") refer to it. */
  private sessionId: string | undefined;
  private unsubscribe: Array<() => void> = [];

  constructor(location: { protocol: string; host: string; search: string; hash: string } = window.location) {
    this.api = new ApiClient();
    this.settings = new Observable(loadSettings(location.search));
    this.screen = new Observable(initialScreen(location.search, location.hash));
    this.streamClient = new StreamClient({
      url: webSocketUrl(ROUTES.stream, location),
      handlers: {
        snapshot: (s) => this.signals.applySnapshot(s),
        changes: (c) => this.signals.applyChanges(c),
        state: (s) => {
          if (s.status === 'open') this.everConnected = true;
          this.stream.set(s);
        },
      },
    });
    const recompute = () => this.banner.set(this.computeBanner());
    this.unsubscribe.push(this.stream.subscribe(recompute), this.health.subscribe(recompute), this.signals.subscribe(recompute));
    this.unsubscribe.push(
      this.settings.subscribe(() => {
        try {
          localStorage.setItem(SETTINGS_KEY, JSON.stringify(this.settings.value));
        } catch {
          // Private mode or a full quota: the setting just does not persist.
        }
      }),
    );
  }

  start(): void {
    this.streamClient.start();
    void this.pollHealth();
    this.healthTimer = setInterval(() => void this.pollHealth(), HEALTH_INTERVAL_MS);
    void this.loadCatalog();
    void this.loadTurns();
  }

  close(): void {
    this.streamClient.close();
    if (this.healthTimer !== undefined) clearInterval(this.healthTimer);
    for (const u of this.unsubscribe.splice(0)) u();
  }

  retryNow(): void {
    this.streamClient.retryNow();
    void this.pollHealth();
  }

  setSettings(patch: Partial<Settings>): void {
    this.settings.set({ ...this.settings.value, ...patch });
  }

  /**
   * Sends one or more actuation requests for a control (`key`) and records the combined outcome:
   * confirmed only if all are; otherwise the first refusal, failure or timeout with its reason.
   */
  async actuate(key: string, requests: ReadonlyArray<{ path: string; value: SignalValue }>): Promise<ActuationView> {
    this.setActuation(key, { state: 'pending', at: Date.now() });
    let view: ActuationView;
    try {
      const results = await Promise.all(requests.map((r) => this.api.setSignal(r.path, r.value)));
      const bad = results.find((r) => r.status === 'refused') ?? results.find((r) => r.status !== 'confirmed');
      view = bad ? { state: bad.status, reason: bad.reason ?? '', at: Date.now() } : { state: 'confirmed', at: Date.now() };
    } catch (err) {
      view = { state: 'error', reason: (err as Error).message, at: Date.now() };
    }
    this.setActuation(key, view);
    return view;
  }

  /** Runs a typed command through the assistant and records the turn. */
  async sendText(text: string): Promise<TurnRecord> {
    const turn: TurnRecord = { id: this.nextTurnId++, at: Date.now(), source: 'typed', input: text };
    try {
      turn.result = await this.api.text(text, this.settings.value.lang, { speak: true, ...(this.sessionId ? { sessionId: this.sessionId } : {}) });
      if (turn.result.sessionId) this.sessionId = turn.result.sessionId;
    } catch (err) {
      if (isNotAvailable(err)) turn.unavailable = true;
      turn.error = (err as Error).message;
    }
    this.addTurn(turn);
    return turn;
  }

  /** Records a voice turn once its answer (or error) is known. */
  addVoiceTurn(seconds: number, outcome: { result: AssistantTurn } | { error: Error }): TurnRecord {
    const turn: TurnRecord = { id: this.nextTurnId++, at: Date.now(), source: 'voice', input: '', seconds };
    if ('result' in outcome) {
      turn.result = outcome.result;
      if (outcome.result.sessionId) this.sessionId = outcome.result.sessionId;
    } else {
      turn.error = outcome.error.message;
      if (outcome.error instanceof NotAvailableError) turn.unavailable = true;
    }
    this.addTurn(turn);
    return turn;
  }

  /** Earlier turns stored by the service (when it has the assistant), so a reload keeps the history. */
  private async loadTurns(): Promise<void> {
    try {
      const stored = await this.api.assistantTurns(MAX_TURNS);
      if (this.turns.value.length > 0) return;
      this.turns.set(
        stored.map((t) => ({
          id: this.nextTurnId++,
          at: t.timestamp,
          source: t.source === 'voice' ? 'voice' : 'typed',
          input: t.input,
          ...(t.audioDurationMs !== undefined ? { seconds: t.audioDurationMs / 1000 } : {}),
          result: { isUnderstood: t.isUnderstood, intent: t.intent ?? null, slots: t.slots, actions: t.actions, answer: { text: t.answer, lang: t.lang } },
        })),
      );
    } catch {
      // Not on this service (yet), or unreachable: the list starts empty.
    }
  }

  private addTurn(turn: TurnRecord): void {
    this.turns.set([turn, ...this.turns.value].slice(0, MAX_TURNS));
  }

  private setActuation(key: string, view: ActuationView): void {
    this.actuations.set({ ...this.actuations.value, [key]: view });
  }

  private async pollHealth(): Promise<void> {
    try {
      const health = await this.api.health();
      this.health.set({ health, failed: false });
    } catch {
      this.health.set({ health: this.health.value.health, failed: true });
    }
  }

  private async loadCatalog(): Promise<void> {
    for (let attempt = 0; attempt < 30; attempt++) {
      try {
        const specs = await this.api.catalog();
        this.catalog.set(new Map(specs.map((s) => [s.path, s])));
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  private computeBanner(): Banner {
    return deriveBanner(this.stream.value, this.health.value, this.signals.get(HEARTBEAT_SIGNAL), this.everConnected);
  }
}
