import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { formatCandumpLine, type CanFrame } from '@auriga/common';

/** Where the bridge puts request frames: the car's bus (cansend) or a stream (tests, pipes). */
export interface TxWriter {
  /**
   * Queues one frame for `iface`. Resolves once it is written, rejects with the reason it could not
   * be (the bridge counts and logs it).
   */
  write(iface: string, frame: CanFrame): Promise<void>;
  /** Waits for queued frames (bounded) and stops. Idempotent. */
  close(): Promise<void>;
}

/** The `ID#DATA` / `ID##FDATA` frame argument of cansend (the candump -L frame field). */
export function cansendFrameSpec(frame: CanFrame): string {
  const line = formatCandumpLine({ ...frame, timestamp: 0, bus: 'x' });
  return line.slice(line.lastIndexOf(' ') + 1);
}

/** Writes each frame as a `candump -L` line: `--tx-stdout`, for tests or piping into canplayer. */
export class StreamTxWriter implements TxWriter {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {}

  write(iface: string, frame: CanFrame): Promise<void> {
    this.out.write(`${formatCandumpLine({ ...frame, bus: iface, timestamp: this.now() })}\n`);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export type SpawnFn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface CansendTxWriterOptions {
  /** Path or name of cansend (default "cansend", found on PATH). */
  command?: string;
  /** Frames waiting for cansend beyond this are refused: a request that late is worse than none (default 32). */
  maxQueue?: number;
  /** A cansend run taking longer is killed and its frame reported failed (default 2000 ms). */
  timeoutMs?: number;
  spawn?: SpawnFn;
}

interface Job {
  iface: string;
  frame: CanFrame;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Runs `cansend <iface> <frame>` once per frame, one at a time so frames reach the bus in the order
 * they were requested. A process per frame costs a few milliseconds; the head unit sends a handful
 * of request frames per user action, so that is fine here (a raw CAN socket would need a native addon).
 */
export class CansendTxWriter implements TxWriter {
  private readonly command: string;
  private readonly maxQueue: number;
  private readonly timeoutMs: number;
  private readonly spawn: SpawnFn;
  private readonly queue: Job[] = [];
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(options: CansendTxWriterOptions = {}) {
    this.command = options.command ?? 'cansend';
    this.maxQueue = options.maxQueue ?? 32;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.spawn = options.spawn ?? ((c, a, o) => nodeSpawn(c, a as string[], o));
  }

  write(iface: string, frame: CanFrame): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the cansend writer is closed'));
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new Error(`${this.queue.length} frames already wait for cansend; frame refused`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ iface, frame, resolve, reject });
      this.running ??= this.drain().finally(() => (this.running = undefined));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  private async drain(): Promise<void> {
    for (let job = this.queue.shift(); job; job = this.queue.shift()) {
      try {
        await this.send(job.iface, job.frame);
        job.resolve();
      } catch (err) {
        job.reject(err as Error);
      }
    }
  }

  private send(iface: string, frame: CanFrame): Promise<void> {
    const args = [iface, cansendFrameSpec(frame)];
    return new Promise<void>((resolve, reject) => {
      let stderr = '';
      let settled = false;
      const done = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      // No shell: the interface name and frame go to cansend as plain arguments.
      const child = this.spawn(this.command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        done(new Error(`${this.command} ${args.join(' ')} took over ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      child.stderr?.on('data', (d: Buffer) => {
        if (stderr.length < 500) stderr += d.toString();
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        done(new Error(err.code === 'ENOENT'
          ? `${this.command} not found: install can-utils (apt-get install can-utils)`
          : `${this.command} failed to start: ${err.message}`));
      });
      child.on('close', (code, signal) => {
        if (code === 0) done();
        else done(new Error(`${this.command} ${args.join(' ')} exited with ${code ?? signal}${stderr ? `: ${stderr.trim()}` : ''}`));
      });
    });
  }
}
