import { rename, stat } from 'node:fs/promises';

/**
 * Recommended answer to AURIGA_ERR_STORE_CORRUPT at open: history is a convenience, the car must
 * keep working, so move the damaged file aside (kept for diagnosis, never deleted here) and open a
 * fresh one, then record a `store.corrupt` event in the new file. Moves the database and its
 * `-wal` / `-shm` companions (a stale WAL must not be replayed into the fresh file) to
 * `<file>.corrupt-<timestamp>[-wal|-shm]`. Returns the new path of the main file.
 */
export async function moveCorruptStoreAside(file: string, now: number = Date.now()): Promise<string> {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const target = `${file}.corrupt-${stamp}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (await exists(file + suffix)) await rename(file + suffix, target + suffix);
  }
  return target;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
