import { createWriteStream, type WriteStream } from 'node:fs';
import { formatCandumpLine, type CanFrame } from '@auriga/common';

export interface CandumpRecorderOptions {
  /** Interface name written on each line when a frame has none (default can0). */
  bus?: string;
  /** Also write the ground-truth situation changes, one JSON object a line, to this file. */
  labelsPath?: string;
}

/**
 * Writes the bus to a `candump -L` log (can-utils text format), the format canplayer and our replay
 * read. Lines are buffered by the stream; close() flushes.
 */
export class CandumpRecorder {
  private readonly out: WriteStream;
  private readonly labels: WriteStream | undefined;
  private readonly bus: string;
  private closing: Promise<void> | undefined;
  private error: Error | undefined;
  framesWritten = 0;

  constructor(
    readonly path: string,
    options: CandumpRecorderOptions = {},
  ) {
    this.bus = options.bus ?? 'can0';
    this.out = createWriteStream(path, { flags: 'w' });
    this.out.on('error', (err) => (this.error = err));
    if (options.labelsPath) {
      this.labels = createWriteStream(options.labelsPath, { flags: 'w' });
      this.labels.on('error', (err) => (this.error = err));
    }
  }

  /** The first write error, if any (the recorder stops writing after it). */
  get failure(): Error | undefined {
    return this.error;
  }

  write(frames: readonly CanFrame[]): void {
    if (this.closing || this.error || frames.length === 0) return;
    let text = '';
    for (const f of frames) text += `${formatCandumpLine(f.bus ? f : { ...f, bus: this.bus })}\n`;
    this.out.write(text);
    this.framesWritten += frames.length;
  }

  /** Records that the ground-truth situation became `label` at `timestamp` (s since the epoch). */
  writeLabel(timestamp: number, label: string): void {
    if (this.closing || this.error || !this.labels) return;
    this.labels.write(`${JSON.stringify({ timestamp: Math.round(timestamp * 1e6) / 1e6, label })}\n`);
  }

  /** Flushes and closes the files. Idempotent. */
  close(): Promise<void> {
    this.closing ??= Promise.all([endStream(this.out), this.labels ? endStream(this.labels) : undefined]).then(() => undefined);
    return this.closing;
  }
}

function endStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.closed) {
      resolve();
      return;
    }
    stream.end(() => resolve());
    stream.once('error', () => resolve());
  });
}
