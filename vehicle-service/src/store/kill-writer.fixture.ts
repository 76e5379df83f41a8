/**
 * Child process of crash-safety.test.ts: writes to a store as fast as it can and prints
 * `COMMITTED <batch>` once a batch is durable in the store's sense (actuation promise resolved,
 * flush() resolved). The test kills it with SIGKILL in the middle of this loop.
 * Usage: node --import tsx kill-writer.fixture.ts <file> <round>
 */
import { pino } from 'pino';
import { SqliteStore } from './sqlite-store.js';

export const PATHS_PER_BATCH = 300;

async function main(): Promise<void> {
  const [file, round] = process.argv.slice(2);
  if (!file || !round) throw new Error('usage: kill-writer.fixture.ts <file> <round>');
  // A short flush interval: the timer's own flushes run concurrently with the explicit ones.
  const store = await SqliteStore.open(file, { logger: pino({ level: 'silent' }), flushIntervalMs: 20 });
  const t0 = Math.floor(Date.now() / 1000) * 1000;
  process.stdout.write(`START ${t0}\n`);
  for (let batch = 0; ; batch++) {
    const ts = t0 + batch * 1000; // one sample interval per batch: every sample is kept
    await store.recordActuation({
      id: `r${round}-${batch}`,
      path: 'Vehicle.Cabin.Light.IsDomeOn',
      value: batch % 2 === 0,
      source: 'crash-test',
      status: 'confirmed',
      requestedAt: ts,
      completedAt: ts + 5,
    });
    for (let p = 0; p < PATHS_PER_BATCH; p++) store.recordSignal(`Crash.R${round}.P${p}`, batch * 1000 + p, ts);
    store.recordEvent({ type: `crash.r${round}`, severity: 'info', message: String(batch), timestamp: ts });
    await store.flush();
    process.stdout.write(`COMMITTED ${batch}\n`);
  }
}

// Only as a script (the test imports PATHS_PER_BATCH from here).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch((err: unknown) => {
    process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  });
}
