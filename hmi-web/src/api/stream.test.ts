import { beforeEach, describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { StreamClient, type StreamState } from './stream.js';
import { FakeSocket, ManualTimers } from './test-fakes.js';
import type { SignalSnapshot, StreamChange } from './types.js';

const speed = (value: number, stale = false): SignalSnapshot => ({ path: 'Vehicle.Speed', value, unit: 'km/h', timestamp: 1, stale });

function setup(prefixes?: string[]) {
  FakeSocket.instances = [];
  const timers = new ManualTimers();
  const snapshots: SignalSnapshot[][] = [];
  const changes: StreamChange[][] = [];
  const states: StreamState[] = [];
  const client = new StreamClient({
    url: 'ws://hu/v1/stream',
    createSocket: (url) => new FakeSocket(url),
    timers,
    random: () => 0, // no jitter: delays are exact
    backoff: { initialMs: 500, maxMs: 4000, factor: 2, jitter: 0.25 },
    ...(prefixes ? { prefixes } : {}),
    handlers: {
      snapshot: (s) => snapshots.push(s),
      changes: (c) => changes.push(c),
      state: (s) => states.push(s),
    },
  });
  const socket = () => FakeSocket.instances.at(-1)!;
  return { client, timers, snapshots, changes, states, socket };
}

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    const o = { initialMs: 500, maxMs: 4000, factor: 2, jitter: 0 };
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, o))).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  });
  it('spreads the delay below the nominal value by the jitter', () => {
    const o = { initialMs: 1000, maxMs: 10_000, factor: 2, jitter: 0.5 };
    expect(backoffDelay(1, o, () => 0)).toBe(1000);
    expect(backoffDelay(1, o, () => 0.75)).toBe(625);
  });
});

describe('StreamClient', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });

  it('is open once the snapshot arrives, then passes changes on', () => {
    t.client.start();
    expect(t.client.state.status).toBe('connecting');
    t.socket().open();
    expect(t.client.state.status).toBe('connecting');
    t.socket().receive({ type: 'snapshot', prefixes: [], signals: [speed(12)] });
    expect(t.client.state).toMatchObject({ status: 'open', attempt: 0, lastMessageAt: t.timers.now() });
    t.socket().receive({ type: 'changes', changes: [{ path: 'Vehicle.Speed', value: 13, previous: 12, timestamp: 2, stale: false }] });
    expect(t.snapshots).toEqual([[speed(12)]]);
    expect(t.changes[0]?.[0]?.value).toBe(13);
  });

  it('reconnects with growing delays and resets them after a good connection', () => {
    t.client.start();
    t.socket().drop();
    expect(t.client.state).toMatchObject({ status: 'waiting', attempt: 1, retryAt: t.timers.now() + 500 });
    t.timers.advance(499);
    expect(FakeSocket.instances).toHaveLength(1);
    t.timers.advance(1);
    expect(FakeSocket.instances).toHaveLength(2);
    t.socket().drop();
    expect(t.client.state.retryAt).toBe(t.timers.now() + 1000);
    t.timers.advance(1000);
    t.socket().open();
    t.socket().receive({ type: 'snapshot', prefixes: [], signals: [] });
    expect(t.client.state.attempt).toBe(0);
    t.socket().drop(1001, 'going away');
    expect(t.client.state).toMatchObject({ status: 'waiting', attempt: 1, lastError: 'the service is shutting down' });
    expect(t.client.state.retryAt).toBe(t.timers.now() + 500);
  });

  it('ignores garbage and reports server errors', () => {
    const errors: string[] = [];
    FakeSocket.instances = [];
    const client = new StreamClient({
      url: 'ws://x',
      createSocket: (u) => new FakeSocket(u),
      timers: t.timers,
      handlers: { snapshot: () => undefined, changes: () => undefined, state: () => undefined, serverError: (code) => errors.push(code) },
    });
    client.start();
    const s = FakeSocket.instances[0]!;
    s.open();
    s.receive('not json');
    s.receive({ type: 'error', code: 'AURIGA_ERR_STREAM_BAD_MESSAGE', message: 'bad' });
    expect(errors).toEqual(['AURIGA_ERR_STREAM_BAD_MESSAGE']);
    client.close();
  });

  it('subscribes to its prefixes on every (re)connection', () => {
    const p = setup(['Vehicle.Cabin']);
    p.client.start();
    p.socket().open();
    expect(p.socket().sent).toEqual([JSON.stringify({ type: 'subscribe', prefixes: ['Vehicle.Cabin'] })]);
    p.client.subscribe(['Vehicle.Body']);
    expect(p.socket().sent.at(-1)).toBe(JSON.stringify({ type: 'subscribe', prefixes: ['Vehicle.Body'] }));
    p.socket().drop();
    p.timers.advance(500);
    p.socket().open();
    expect(p.socket().sent).toEqual([JSON.stringify({ type: 'subscribe', prefixes: ['Vehicle.Body'] })]);
  });

  it('retryNow skips the wait; close stops everything and is idempotent', () => {
    t.client.start();
    t.socket().drop();
    t.client.retryNow();
    expect(FakeSocket.instances).toHaveLength(2);
    const s = t.socket();
    s.open();
    t.client.close();
    t.client.close();
    expect(s.closedWith?.code).toBe(1000);
    expect(t.client.state.status).toBe('closed');
    expect(t.timers.count).toBe(0);
    s.drop();
    t.timers.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('closes a socket that is still connecting only once it opens (no browser console error)', () => {
    t.client.start();
    const s = t.socket();
    t.client.close();
    expect(s.closedWith).toBeUndefined();
    s.open();
    expect(s.closedWith?.code).toBe(1000);
  });

  it('retries when the socket cannot even be created', () => {
    FakeSocket.instances = [];
    let calls = 0;
    const timers = new ManualTimers();
    const client = new StreamClient({
      url: 'ws://x',
      timers,
      random: () => 0,
      createSocket: (u) => {
        calls++;
        if (calls === 1) throw new Error('bad url');
        return new FakeSocket(u);
      },
      handlers: { snapshot: () => undefined, changes: () => undefined, state: () => undefined },
    });
    client.start();
    expect(client.state).toMatchObject({ status: 'waiting', lastError: 'bad url' });
    timers.advance(500);
    expect(calls).toBe(2);
    client.close();
  });
});
