import { NetworkError } from './errors.js';
import { parseAssistantTurn } from './parse.js';
import { ROUTES } from './routes.js';
import { closeQuietly, type SocketLike } from './stream.js';
import type { AssistantTurn, Lang } from './types.js';

/** Voice sockets also carry binary audio. */
export interface VoiceSocketLike extends Omit<SocketLike, 'send'> {
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  binaryType?: string;
}

export interface VoiceSessionOptions {
  url: string;
  lang: Lang;
  createSocket?: (url: string) => VoiceSocketLike;
  /** How long to wait for the answer after the end of speech (ms). */
  answerTimeoutMs?: number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (id: unknown) => void;
}

const OPEN = 1;

/**
 * One push-to-talk utterance over the voice WebSocket (ROUTES.voiceStream):
 *   -> {"type":"start","lang","sampleRate":16000,"encoding":"pcm_s16le","channels":1}
 *   -> binary frames of 16 kHz mono little-endian Int16 PCM
 *   -> {"type":"end"} when the button is released ({"type":"cancel"} to drop it)
 *   <- {"type":"result", ...the POST /v1/text answer} or {"type":"error","code","message"}
 * Frames recorded while the socket is still opening are queued, so the first word is not lost.
 */
export class VoiceSession {
  private readonly socket: VoiceSocketLike;
  private readonly queue: Array<string | ArrayBuffer> = [];
  private settled = false;
  private ended = false;
  private timer: unknown;
  private resolveAnswer!: (turn: AssistantTurn) => void;
  private rejectAnswer!: (err: Error) => void;
  /** Resolves with the assistant's answer once the utterance ended. */
  readonly answer: Promise<AssistantTurn>;
  private sentSamples = 0;

  constructor(private readonly options: VoiceSessionOptions) {
    this.answer = new Promise<AssistantTurn>((resolve, reject) => {
      this.resolveAnswer = resolve;
      this.rejectAnswer = reject;
    });
    // Callers that only cancel must not get an unhandled rejection.
    this.answer.catch(() => undefined);
    const create = options.createSocket ?? ((url) => new WebSocket(url) as unknown as VoiceSocketLike);
    this.socket = create(options.url);
    this.socket.binaryType = 'arraybuffer';
    this.send(JSON.stringify({ type: 'start', lang: options.lang, sampleRate: 16_000, encoding: 'pcm_s16le', channels: 1 }));
    this.socket.onopen = () => {
      for (const item of this.queue.splice(0)) this.socket.send(item);
    };
    this.socket.onmessage = (ev) => this.onMessage(ev.data);
    this.socket.onerror = () => undefined;
    this.socket.onclose = (ev) => {
      if (!this.settled) this.fail(new NetworkError(`voice connection closed before an answer (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`));
    };
  }

  /** Seconds of audio sent so far. */
  get secondsSent(): number {
    return this.sentSamples / 16_000;
  }

  sendPcm(frame: Int16Array): void {
    if (this.ended || this.settled) return;
    // Int16Array is little-endian on every platform a browser runs on.
    const copy = frame.slice();
    this.sentSamples += copy.length;
    this.send(copy.buffer);
  }

  /** The driver released the button: ask for the answer. */
  end(): Promise<AssistantTurn> {
    if (!this.ended && !this.settled) {
      this.ended = true;
      this.send(JSON.stringify({ type: 'end' }));
      const ms = this.options.answerTimeoutMs ?? 15_000;
      const st = this.options.setTimeout ?? ((fn, t) => globalThis.setTimeout(fn, t));
      this.timer = st(() => this.fail(new NetworkError(`no answer to the voice command within ${ms} ms`, true)), ms);
    }
    return this.answer;
  }

  cancel(): void {
    if (this.settled) return;
    this.send(JSON.stringify({ type: 'cancel' }));
    this.fail(new Error('cancelled'));
  }

  private send(item: string | ArrayBuffer): void {
    if (this.socket.readyState === OPEN) this.socket.send(item);
    else this.queue.push(item);
  }

  private onMessage(data: unknown): void {
    const msg = parseServerMessage(data);
    if (!msg) return;
    if (msg.type === 'result') {
      try {
        this.finish(parseAssistantTurn(msg, ROUTES.voiceStream));
      } catch (err) {
        this.fail(err as Error);
      }
    } else if (msg.type === 'error') {
      this.fail(new Error(typeof msg.message === 'string' ? msg.message : 'the voice service reported an error'));
    }
  }

  private finish(turn: AssistantTurn): void {
    if (this.settled) return;
    this.settled = true;
    this.cleanup();
    this.resolveAnswer(turn);
  }

  private fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.cleanup();
    this.rejectAnswer(err);
  }

  private cleanup(): void {
    if (this.timer !== undefined) (this.options.clearTimeout ?? ((id) => globalThis.clearTimeout(id as ReturnType<typeof setTimeout>)))(this.timer);
    this.timer = undefined;
    this.socket.onclose = null;
    this.socket.onmessage = null;
    closeQuietly(this.socket as unknown as SocketLike, 1000, 'done');
  }
}

/**
 * Whether the voice WebSocket exists, by opening it and closing it again: no error status in the
 * console when it does. `false` when the handshake fails (the caller then asks over HTTP why).
 */
export function probeVoiceStream(url: string, createSocket?: (url: string) => VoiceSocketLike, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = (createSocket ?? ((u) => new WebSocket(u) as unknown as VoiceSocketLike))(url);
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.onopen = null;
      socket.onclose = null;
      socket.onerror = null;
      if (ok) socket.close(1000, 'probe');
      resolve(ok);
    };
    const timer = setTimeout(() => {
      finish(false);
      closeQuietly(socket as unknown as SocketLike);
    }, timeoutMs);
    socket.onopen = () => finish(true);
    socket.onerror = () => finish(false);
    socket.onclose = () => finish(false);
  });
}

export interface HandsFreeSessionOptions extends Omit<VoiceSessionOptions, 'answerTimeoutMs' | 'setTimeout' | 'clearTimeout'> {
  /** One utterance answered (the server's endpointer ended it); the next one has already started. */
  onResult(turn: AssistantTurn, seconds: number): void;
  /** One utterance failed (e.g. too long, not recognized); the next one has already started. */
  onUtteranceError(err: Error): void;
  /** The socket closed or failed: hands-free is over. */
  onClosed(err: Error): void;
}

/**
 * Hands-free listening over the voice WebSocket (ROUTES.voiceStream), one socket for many utterances:
 *   -> {"type":"start","lang","sampleRate":16000,"encoding":"pcm_s16le","channels":1,"mode":"hands-free"}
 *   -> binary frames of 16 kHz mono little-endian Int16 PCM, continuously
 *   <- {"type":"result", ...} once the service's voice activity detector heard the end of a command
 *   -> the next {"type":"start", ... "mode":"hands-free"} at once, and so on until close()
 */
export class HandsFreeSession {
  private readonly socket: VoiceSocketLike;
  private readonly queue: Array<string | ArrayBuffer> = [];
  private closed = false;
  private samples = 0;

  constructor(private readonly options: HandsFreeSessionOptions) {
    const create = options.createSocket ?? ((url) => new WebSocket(url) as unknown as VoiceSocketLike);
    this.socket = create(options.url);
    this.socket.binaryType = 'arraybuffer';
    this.startUtterance();
    this.socket.onopen = () => {
      for (const item of this.queue.splice(0)) this.socket.send(item);
    };
    this.socket.onmessage = (ev) => this.onMessage(ev.data);
    this.socket.onerror = () => undefined;
    this.socket.onclose = (ev) => this.finish(new NetworkError(`voice connection closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  sendPcm(frame: Int16Array): void {
    if (this.closed) return;
    const copy = frame.slice();
    this.samples += copy.length;
    this.send(copy.buffer);
  }

  /** Stops listening: drops the utterance in progress and closes the socket. */
  close(): void {
    if (this.closed) return;
    this.send(JSON.stringify({ type: 'cancel' }));
    this.closed = true;
    this.socket.onclose = null;
    this.socket.onmessage = null;
    closeQuietly(this.socket as unknown as SocketLike, 1000, 'hands-free off');
  }

  private startUtterance(): void {
    this.samples = 0;
    this.send(JSON.stringify({ type: 'start', lang: this.options.lang, sampleRate: 16_000, encoding: 'pcm_s16le', channels: 1, mode: 'hands-free' }));
  }

  private send(item: string | ArrayBuffer): void {
    if (this.socket.readyState === OPEN) this.socket.send(item);
    else this.queue.push(item);
  }

  private onMessage(data: unknown): void {
    const msg = this.closed ? undefined : parseServerMessage(data);
    if (!msg) return;
    if (msg.type === 'result') {
      const seconds = this.samples / 16_000;
      let outcome: { turn: AssistantTurn } | { error: Error };
      try {
        outcome = { turn: parseAssistantTurn(msg, ROUTES.voiceStream) };
      } catch (err) {
        outcome = { error: err as Error };
      }
      this.startUtterance();
      if ('turn' in outcome) this.options.onResult(outcome.turn, seconds);
      else this.options.onUtteranceError(outcome.error);
    } else if (msg.type === 'error') {
      this.startUtterance();
      this.options.onUtteranceError(new Error(typeof msg.message === 'string' ? msg.message : 'the voice service reported an error'));
    }
  }

  private finish(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.onclose = null;
    this.socket.onmessage = null;
    this.options.onClosed(err);
  }
}

/** A JSON text message of the voice stream; undefined for binary data or text that is not JSON. */
function parseServerMessage(data: unknown): { type?: unknown; code?: unknown; message?: unknown } | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    return JSON.parse(data) as { type?: unknown; code?: unknown; message?: unknown };
  } catch {
    return undefined;
  }
}
