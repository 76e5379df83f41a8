import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { OtaErrors } from '../errors.js';
import type { TargetFile } from '../metadata/types.js';

/**
 * Incremental check of a target's bytes against its signed length and sha256. It refuses the first byte
 * past the declared length (endless-data attack) instead of hashing whatever the server sends, and can be
 * seeded with the bytes already on disk so a resumed download is still verified end to end.
 */
export class TargetHasher {
  private readonly hash: Hash = createHash('sha256');
  private received = 0;

  constructor(readonly targetPath: string, readonly target: TargetFile) {}

  get bytesReceived(): number { return this.received; }

  update(chunk: Uint8Array): void {
    if (this.received + chunk.length > this.target.length) {
      throw OtaErrors.targetLength(this.targetPath, `more than ${this.target.length}`, this.target.length);
    }
    this.received += chunk.length;
    this.hash.update(chunk);
  }

  /** Throws unless exactly the declared bytes arrived and they hash to the signed digest. */
  finish(): void {
    if (this.received !== this.target.length) {
      throw OtaErrors.targetLength(this.targetPath, String(this.received), this.target.length);
    }
    if (this.hash.digest('hex') !== this.target.hashes.sha256) throw OtaErrors.targetHash(this.targetPath);
  }

  /** Feeds the first `bytes` of a partial download already on disk (to resume with an HTTP Range request). */
  async absorbFile(filePath: string, bytes: number): Promise<void> {
    if (bytes === 0) return;
    for await (const chunk of createReadStream(filePath, { start: 0, end: bytes - 1, highWaterMark: 1 << 20 })) {
      this.update(chunk as Buffer);
    }
  }
}

/** A pass-through stream for a download pipeline that errors (and stops the pipeline) on any violation. */
export function verifyingTransform(hasher: TargetHasher): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      try {
        hasher.update(chunk);
        done(null, chunk);
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        hasher.finish();
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

/** Verifies a complete file, reading at most one byte past the declared length. */
export async function verifyTargetFile(filePath: string, targetPath: string, target: TargetFile): Promise<void> {
  const hasher = new TargetHasher(targetPath, target);
  const stream = createReadStream(filePath, { start: 0, end: target.length, highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) hasher.update(chunk as Buffer);
  } finally {
    stream.destroy();
  }
  hasher.finish();
}

/** Verifies bytes from any async source (e.g. an HTTP body), abandoning it at the first excess byte. */
export async function verifyTargetStream(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, targetPath: string, target: TargetFile): Promise<void> {
  const hasher = new TargetHasher(targetPath, target);
  for await (const chunk of source) hasher.update(chunk);
  hasher.finish();
}
