import { isAurigaError, parseCandumpLine, type CanFrame } from '@auriga/common';

export interface CandumpLineHandlers {
  frame: (frame: CanFrame, lineNo: number) => void;
  /** A line that is not a candump -L frame; `error.message` starts with `source:line:`. */
  malformed: (error: Error, lineNo: number) => void;
}

/**
 * Turns a stream of `candump -L` text, in chunks of any size, into frames. Unlike readCandumpLog a
 * bad line does not end the input: a live bus must keep flowing when one line is garbled. Lines
 * longer than `maxLineLength` (binary noise, a wrong program on the pipe) are reported and skipped
 * without buffering them whole.
 */
export class CandumpLineSplitter {
  private readonly decoder = new TextDecoder();
  private pending = '';
  private skippingLongLine = false;
  private lineNo = 0;

  constructor(
    private readonly handlers: CandumpLineHandlers,
    private readonly source = '<stdin>',
    private readonly maxLineLength = 512,
  ) {}

  /** Lines seen so far (including blank and malformed ones). */
  get lines(): number {
    return this.lineNo;
  }

  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    this.consume(this.pending + text, false);
  }

  /** End of input: the last line may lack its newline. */
  end(): void {
    this.consume(this.pending + this.decoder.decode(), true);
  }

  private consume(text: string, final: boolean): void {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) {
        const rest = text.slice(start);
        if (final) {
          if (rest !== '') this.line(rest);
          this.pending = '';
        } else if (rest.length > this.maxLineLength) {
          if (!this.skippingLongLine) this.tooLong();
          this.pending = '';
        } else {
          this.pending = rest;
        }
        return;
      }
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
  }

  private line(raw: string): void {
    if (this.skippingLongLine) {
      // The tail of a line already reported as too long.
      this.skippingLongLine = false;
      return;
    }
    this.lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    if (line.length > this.maxLineLength) {
      this.handlers.malformed(new Error(`${this.source}:${this.lineNo}: line longer than ${this.maxLineLength} characters`), this.lineNo);
      return;
    }
    let frame: CanFrame;
    try {
      frame = parseCandumpLine(line, this.lineNo, this.source);
    } catch (err) {
      if (!isAurigaError(err, 'AURIGA_ERR_CANDUMP_SYNTAX')) throw err;
      this.handlers.malformed(err as Error, this.lineNo);
      return;
    }
    this.handlers.frame(frame, this.lineNo);
  }

  private tooLong(): void {
    this.lineNo++;
    this.skippingLongLine = true;
    this.handlers.malformed(new Error(`${this.source}:${this.lineNo}: line longer than ${this.maxLineLength} characters`), this.lineNo);
  }
}
