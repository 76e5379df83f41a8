import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Db } from './db.js';
import { PATHS_PER_BATCH } from './kill-writer.fixture.js';
import { tempDir } from './test-helpers.js';

const script = fileURLToPath(new URL('./kill-writer.fixture.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the writer until it has acknowledged `batches` batches, then SIGKILLs it mid-loop. */
function runAndKill(file: string, round: number, batches: number): Promise<{ t0: number; acked: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, file, String(round)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let t0 = Number.NaN;
    const acked: number[] = [];
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const lines = stdout.split('\n');
      stdout = lines.pop() ?? '';
      for (const line of lines) {
        const [word, n] = line.split(' ');
        if (word === 'START') t0 = Number(n);
        if (word === 'COMMITTED') acked.push(Number(n));
      }
      // The writer is already busy with the next batch: the kill lands mid-write.
      if (acked.length >= batches && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ t0, acked });
      else reject(new Error(`writer exited on its own (code ${code}): ${stderr}`));
    });
  });
}

describe('crash safety', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    tmp = await tempDir();
  });
  afterEach(async () => {
    await tmp.cleanup();
  });

  it('loses no acknowledged write when the process is killed with SIGKILL', async () => {
    const file = tmp.file();
    // Two rounds on the same file: the second starts from a file recovered after a kill.
    for (const [round, batches] of [
      [1, 25],
      [2, 15],
    ] as const) {
      const { t0, acked } = await runAndKill(file, round, batches);
      expect(acked.length).toBeGreaterThanOrEqual(batches);
      expect(acked).toEqual(acked.map((_, i) => i));
      // Committed but not checkpointed: recovery has to replay the WAL.
      expect(existsSync(`${file}-wal`)).toBe(true);

      const db = await Db.open(file);
      expect(await db.all('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      const actuations = new Set(
        (await db.all<{ id: string }>('SELECT id FROM actuations WHERE id LIKE ?', [`r${round}-%`])).map((r) => r.id),
      );
      const samplesPerTs = new Map(
        (
          await db.all<{ ts: number; n: number }>(
            `SELECT h.ts AS ts, count(*) AS n FROM signal_history h JOIN signal_paths p ON p.id = h.path_id
             WHERE p.path LIKE ? GROUP BY h.ts`,
            [`Crash.R${round}.%`],
          )
        ).map((r) => [r.ts, r.n]),
      );
      const events = new Set(
        (await db.all<{ message: string }>('SELECT message FROM events WHERE type = ?', [`crash.r${round}`])).map((r) => r.message),
      );
      const missing: string[] = [];
      for (const batch of acked) {
        if (!actuations.has(`r${round}-${batch}`)) missing.push(`actuation ${batch}`);
        if (samplesPerTs.get(t0 + batch * 1000) !== PATHS_PER_BATCH) missing.push(`samples ${batch}`);
        if (!events.has(String(batch))) missing.push(`event ${batch}`);
      }
      expect(missing).toEqual([]);
      await db.close();
    }
  });
});
