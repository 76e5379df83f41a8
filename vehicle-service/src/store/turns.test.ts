import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import { tempDir } from './test-helpers.js';
import type { TurnRecord } from './types.js';

const T0 = 1_700_000_000_000;

function turn(i: number, extra: Partial<TurnRecord> = {}): TurnRecord {
  return {
    id: `turn-${i}`,
    timestamp: T0 + i * 1000,
    sessionId: i % 2 === 0 ? 'seat:driver' : 'seat:passenger',
    seat: 'driver',
    lang: 'en-US',
    source: 'text',
    input: 'open the trunk',
    isUnderstood: true,
    intent: 'openTrunk',
    slots: { zone: 'driver' },
    actions: [{ path: 'Vehicle.Body.Trunk.Rear.IsOpen', value: true, status: 'refused', reason: 'moving' }],
    answer: "I can't open the trunk while driving.",
    answerKey: 'refused',
    timings: { understandMs: 1.2, totalMs: 3.4 },
    ...extra,
  };
}

describe('SqliteStore: assistant turns', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let store: SqliteStore;
  beforeEach(async () => {
    tmp = await tempDir();
    store = await SqliteStore.open(tmp.file(), { logger: pino({ level: 'silent' }) });
  });
  afterEach(async () => {
    await store.close();
    await tmp.cleanup();
  });

  it('stores turns and reads them back newest first, with JSON columns and optional fields intact', async () => {
    await store.recordTurn(turn(1));
    await store.recordTurn(turn(2, { source: 'voice', audioDurationMs: 1250.5, intent: undefined, isUnderstood: false, slots: {}, actions: [] }) as TurnRecord);
    const rows = await store.turns({});
    expect(rows.map((r) => r.id)).toEqual(['turn-2', 'turn-1']);
    expect(rows[1]).toEqual(turn(1));
    expect(rows[0]).toMatchObject({ source: 'voice', audioDurationMs: 1250.5, isUnderstood: false, actions: [] });
    expect(rows[0]!.intent).toBeUndefined();
  });

  it('filters by session and limits', async () => {
    for (let i = 0; i < 5; i++) await store.recordTurn(turn(i));
    expect((await store.turns({ sessionId: 'seat:passenger' })).map((r) => r.id)).toEqual(['turn-3', 'turn-1']);
    expect(await store.turns({ limit: 2 })).toHaveLength(2);
  });

  it('rejects a malformed turn with a coded error', async () => {
    await expect(store.recordTurn({ ...turn(1), id: '' })).rejects.toMatchObject({ code: 'AURIGA_ERR_STORE_INVALID_RECORD' });
  });
});
