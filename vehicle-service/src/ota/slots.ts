import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { extractBundle, type ReleaseCustom } from '@auriga/ota/client';
import { fsyncDir } from './fs-atomic.js';
import type { SlotName, SlotRecord } from './state.js';

/** A kind name becomes a directory name: keep it to safe characters. */
const KIND_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * The two model slots of each kind on disk: `<modelsDir>/<kind>/A` and `/B`. A slot is filled through a
 * staging directory that is renamed into place only when every file is written, verified and fsynced, so a
 * slot directory is either absent or complete. Which slot is active lives in the agent's state file, which
 * only names a slot after it is complete (and names none while one is being rewritten).
 */
export class ModelSlots {
  constructor(readonly modelsDir: string) {}

  kindDir(kind: string): string {
    if (!KIND_PATTERN.test(kind)) throw new Error(`unsafe model kind ${JSON.stringify(kind)}`);
    return join(this.modelsDir, kind);
  }

  slotDir(kind: string, slot: SlotName): string {
    return join(this.kindDir(kind), slot);
  }

  /** Removes a slot and any leftover staging directory (a crash during a previous install). */
  async clear(kind: string, slot: SlotName): Promise<void> {
    const dir = this.slotDir(kind, slot);
    await rm(`${dir}.staging`, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
    await mkdir(this.kindDir(kind), { recursive: true });
    await fsyncDir(this.kindDir(kind));
  }

  /**
   * Verifies and unpacks a downloaded bundle into `slot` (which the caller has already dropped from its
   * state). `afterExtract` runs between the complete staging directory and the rename (a crash point in tests).
   */
  async install(kind: string, slot: SlotName, bundlePath: string, release: ReleaseCustom, bundleSha256: string, now: number,
    afterExtract?: () => Promise<void> | void): Promise<SlotRecord> {
    await this.clear(kind, slot);
    const dir = this.slotDir(kind, slot);
    const staging = `${dir}.staging`;
    const manifest = await extractBundle(bundlePath, staging, { expected: release, fsync: true });
    await fsyncTree(staging);
    await afterExtract?.();
    await rename(staging, dir);
    await fsyncDir(this.kindDir(kind));
    return { name: manifest.name, version: manifest.version, bundleSha256, files: manifest.files, acceptance: manifest.acceptance, installedAt: now };
  }

  /** Re-checks every file of a slot against its recorded length and sha256; returns the first problem, or undefined. */
  async verify(kind: string, slot: SlotName, record: SlotRecord): Promise<string | undefined> {
    const dir = this.slotDir(kind, slot);
    for (const f of record.files) {
      const abs = join(dir, ...f.path.split('/'));
      const hash = createHash('sha256');
      let length = 0;
      try {
        for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 })) {
          hash.update(chunk as Buffer);
          length += (chunk as Buffer).length;
        }
      } catch (err) {
        return `${kind}/${slot}/${f.path}: ${(err as Error).message}`;
      }
      if (length !== f.length) return `${kind}/${slot}/${f.path} is ${length} bytes, expected ${f.length}`;
      if (hash.digest('hex') !== f.sha256) return `${kind}/${slot}/${f.path} does not match its sha256`;
    }
    return undefined;
  }
}

/** fsync every directory under `dir` (extractBundle fsyncs the files; their directory entries need it too). */
async function fsyncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await fsyncTree(join(dir, entry.name));
  }
  await fsyncDir(dir);
}
