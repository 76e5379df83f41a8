import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { OtaErrors } from '../errors.js';

/**
 * Where bundles live. Content-addressed by sha256, so any instance can serve any bundle and an object
 * store or CDN can replace the disk without changing the server (see docs/ota/operations.md).
 */
export interface BundleStore {
  /** Streams an upload in, hashing as it goes; refuses more than maxBytes. */
  put(body: Readable, maxBytes: number): Promise<{ sha256: string; length: number }>;
  size(sha256: string): Promise<number | undefined>;
  read(sha256: string, range?: { start: number; end: number }): Readable;
}

export class FileBundleStore implements BundleStore {
  constructor(private readonly dir: string) {}

  private pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw OtaErrors.badRequest('bad bundle hash');
    return join(this.dir, sha256.slice(0, 2), `${sha256}.bundle`);
  }

  async put(body: Readable, maxBytes: number): Promise<{ sha256: string; length: number }> {
    await mkdir(join(this.dir, 'incoming'), { recursive: true });
    const tmp = join(this.dir, 'incoming', `${randomBytes(8).toString('hex')}.part`);
    const hash = createHash('sha256');
    let length = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        length += chunk.length;
        if (length > maxBytes) return done(OtaErrors.badRequest(`bundle is larger than the ${maxBytes}-byte limit`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(tmp, { flags: 'wx' }));
      const sha256 = hash.digest('hex');
      const dest = this.pathOf(sha256);
      await mkdir(join(dest, '..'), { recursive: true });
      await rename(tmp, dest);
      return { sha256, length };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async size(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch {
      return undefined;
    }
  }

  read(sha256: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(sha256), range ? { start: range.start, end: range.end } : {});
  }
}
