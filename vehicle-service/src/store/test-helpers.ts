import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp directory per test; `cleanup` removes it. */
export async function tempDir(): Promise<{ dir: string; file: (name?: string) => string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'auriga-store-'));
  return {
    dir,
    file: (name = 'vehicle.db') => join(dir, name),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
