/**
 * A Linux microphone through ALSA's `arecord`, run as a child process that writes raw 16 kHz mono
 * signed 16-bit little-endian PCM to its stdout:
 *   arecord -q -D <device> -f S16_LE -r 16000 -c 1 -t raw
 * Each read of the pipe becomes a `pcm` event (Int16Array) and, when someone listens, a `samples`
 * event (Float32Array in [-1, 1)). A pipe read may end in the middle of a sample: the odd byte is kept
 * for the next read. Failures are AURIGA_ERR_MIC_* errors on the `error` event: the command is missing
 * (UNAVAILABLE), it exits non-zero or is killed (FAILED, with its stderr: "audio open error: Device or
 * resource busy"), it ends with code 0 (STOPPED). With `restart` it is started again after a backoff.
 * Attach an `error` listener: like any EventEmitter, an unhandled `error` event throws.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { AurigaError } from '@auriga/common';
import type { Clock } from '../../util/timers.js';
import { MicFailedError, MicStoppedError, MicUnavailableError } from '../errors.js';
import { MODEL_SAMPLE_RATE } from './index.js';

/** Joins a byte stream of 16-bit little-endian samples into whole samples, whatever the read boundaries. */
export class Pcm16Reassembler {
  private carry = -1;

  /** Bytes held back (0 or 1): the first half of a sample whose second half has not arrived. */
  get pendingBytes(): number {
    return this.carry < 0 ? 0 : 1;
  }

  /** The whole samples completed by `bytes` (possibly none). */
  push(bytes: Uint8Array): Int16Array {
    const total = bytes.length + (this.carry < 0 ? 0 : 1);
    const out = new Int16Array(total >> 1);
    let i = 0;
    let s = 0;
    if (this.carry >= 0 && bytes.length > 0) {
      out[s++] = ((bytes[0]! << 8) | this.carry) << 16 >> 16;
      i = 1;
      this.carry = -1;
    }
    for (; i + 1 < bytes.length; i += 2) out[s++] = ((bytes[i + 1]! << 8) | bytes[i]!) << 16 >> 16;
    if (i < bytes.length) this.carry = bytes[i]!;
    return out;
  }

  /** Drops a held-back byte (a new stream starts). */
  reset(): void {
    this.carry = -1;
  }
}

/** Int16 samples -> floats in [-1, 1) (the scale the voice stream and the engine use). */
export function pcm16ToFloat32(pcm: Int16Array): Float32Array {
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i]! / 32768;
  return out;
}

export interface ArecordMicrophoneOptions {
  /** ALSA capture device (`arecord -L` / `arecord -l`), e.g. `hw:0,0`, `plughw:1,0`; default `default`. */
  readonly device?: string;
  /** The command, a name looked up on PATH or a path (default `arecord`). */
  readonly command?: string;
  /** Start again after a failure, waiting minMs, doubled after each failure up to maxMs (default off). */
  readonly restart?: { readonly minMs?: number; readonly maxMs?: number } | false;
  /** A run at least this long resets the backoff to minMs (default 10 000 ms). */
  readonly healthyRunMs?: number;
  /** After destroy(): SIGKILL when the command has not exited after SIGTERM within this (default 2000 ms). */
  readonly killAfterMs?: number;
  /** Timers (tests); default the real ones. */
  readonly clock?: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
}

export interface MicrophoneErrorInfo {
  /** When a restart is scheduled: in how many ms. */
  readonly restartInMs?: number;
}

export interface MicrophoneEvents {
  /** The command started (again). */
  start: [info: { pid: number; command: string; args: readonly string[] }];
  pcm: [pcm: Int16Array];
  samples: [samples: Float32Array];
  error: [err: AurigaError, info: MicrophoneErrorInfo];
  /** The command is gone (after an error, or after destroy()); `restartInMs` when it starts again. */
  close: [info: { code: number | null; signal: NodeJS.Signals | null; restartInMs?: number }];
}

const realClock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'> = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

const STDERR_KEEP = 4096;

/** `arecord` as a microphone. start() once; destroy() (idempotent) stops it for good. */
export class ArecordMicrophone extends EventEmitter<MicrophoneEvents> {
  readonly device: string;
  readonly command: string;
  readonly args: readonly string[];
  private child: ChildProcess | undefined;
  private started = false;
  private destroyed = false;
  private destroyPromise: Promise<void> | undefined;
  private restartTimer: unknown;
  private backoffMs: number;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  /** Times the command was started. */
  runs = 0;

  constructor(private readonly options: ArecordMicrophoneOptions = {}) {
    super();
    this.device = options.device ?? 'default';
    this.command = options.command ?? 'arecord';
    this.args = ['-q', '-D', this.device, '-f', 'S16_LE', '-r', String(MODEL_SAMPLE_RATE), '-c', '1', '-t', 'raw'];
    this.clock = options.clock ?? realClock;
    this.minMs = options.restart ? Math.max(1, options.restart.minMs ?? 1000) : 0;
    this.maxMs = options.restart ? Math.max(this.minMs, options.restart.maxMs ?? 60_000) : 0;
    this.backoffMs = this.minMs;
  }

  /** Whether the command is running now. */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** The command's process id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the command (no-op when started or destroyed). */
  start(): void {
    if (this.started || this.destroyed) return;
    this.started = true;
    this.spawnOnce();
  }

  /** Stops the command for good (SIGTERM, then SIGKILL) and any pending restart; resolves once it has exited. Idempotent. */
  destroy(): Promise<void> {
    this.destroyPromise ??= (async () => {
      this.destroyed = true;
      if (this.restartTimer !== undefined) {
        this.clock.clearTimeout(this.restartTimer);
        this.restartTimer = undefined;
      }
      const child = this.child;
      if (!child) return;
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
      signalGroup(child, 'SIGTERM');
      // Real timers on purpose: this is about the operating system, not the caller's clock.
      const force = setTimeout(() => signalGroup(child, 'SIGKILL'), this.options.killAfterMs ?? 2000);
      await exited;
      clearTimeout(force);
    })();
    return this.destroyPromise;
  }

  private spawnOnce(): void {
    this.restartTimer = undefined;
    if (this.destroyed) return;
    this.runs++;
    const startedAt = this.clock.now();
    const pcm = new Pcm16Reassembler();
    let stderr = '';
    let spawnError: NodeJS.ErrnoException | undefined;
    let child: ChildProcess;
    try {
      // Its own process group: a Ctrl+C in the terminal reaches the CLI, which stops arecord itself
      // (after finishing the utterance in progress), and destroy() can end the whole group.
      child = spawn(this.command, this.args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      // spawn() throws synchronously only for bad arguments (e.g. a NUL in the command).
      this.failed(MicUnavailableError(this.command, (err as Error).message, { cause: err }), { code: null, signal: null }, startedAt);
      return;
    }
    this.child = child;
    child.on('spawn', () => {
      if (child.pid !== undefined) this.emit('start', { pid: child.pid, command: this.command, args: this.args });
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError ??= err;
    });
    child.stdout!.on('data', (bytes: Buffer) => {
      if (this.destroyed) return;
      const samples = pcm.push(bytes);
      if (samples.length === 0) return;
      this.emit('pcm', samples);
      if (this.listenerCount('samples') > 0) this.emit('samples', pcm16ToFloat32(samples));
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEEP);
    });
    // 'close' comes after stdout and stderr are drained, so every sample and the whole stderr are in.
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (this.child === child) this.child = undefined;
      if (this.destroyed) {
        this.emit('close', { code, signal });
        return;
      }
      const what = `${this.command} -D ${this.device}`;
      let err: AurigaError;
      if (spawnError && (spawnError.code === 'ENOENT' || spawnError.code === 'EACCES')) {
        err = MicUnavailableError(
          this.command,
          spawnError.code === 'ENOENT' ? 'was not found (install alsa-utils, or give the path of arecord)' : 'is not executable',
          { cause: spawnError },
        );
      } else if (spawnError) {
        err = MicUnavailableError(this.command, spawnError.message, { cause: spawnError });
      } else if (signal) {
        err = MicFailedError(what, `killed by ${signal}${stderrSummary(stderr) ? ` (${stderrSummary(stderr)})` : ''}`);
      } else if (code !== 0) {
        err = MicFailedError(`${what} exited with code ${code}`, stderrSummary(stderr) || 'no message');
      } else {
        err = MicStoppedError(what);
      }
      this.failed(err, { code, signal }, startedAt);
    });
  }

  private failed(err: AurigaError, exit: { code: number | null; signal: NodeJS.Signals | null }, startedAt: number): void {
    let restartInMs: number | undefined;
    if (this.options.restart && !this.destroyed) {
      if (this.clock.now() - startedAt >= (this.options.healthyRunMs ?? 10_000)) this.backoffMs = this.minMs;
      restartInMs = this.backoffMs;
      this.backoffMs = Math.min(this.maxMs, this.backoffMs * 2);
      this.restartTimer = this.clock.setTimeout(() => this.spawnOnce(), restartInMs);
    }
    const info = restartInMs === undefined ? {} : { restartInMs };
    this.emit('error', err, info);
    this.emit('close', { ...exit, ...info });
  }
}

/** SIGTERM/SIGKILL to the child's process group (it was started detached), else to the child alone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    child.kill(signal);
  }
}

/**
 * What arecord said, shortened: its own lines ("arecord: main:831: audio open error: Device or resource
 * busy" -> "audio open error: Device or resource busy"), else the last line (ALSA library chatter comes first).
 */
export function stderrSummary(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const own = lines.filter((l) => /^arecord:/.test(l)).map((l) => l.replace(/^arecord:\s*(?:[\w.]+:\d+:\s*)?/, ''));
  const picked = own.length > 0 ? own : lines.slice(-1);
  return picked.join('; ').slice(0, 500);
}
