import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../util/timers.js';
import { DialogueManager } from './session.js';

const plan = { kind: 'actions' as const, op: 'open' as const, requests: [] };
const frame = { intent: 'openTrunk', slots: {}, numbers: {} };

describe('DialogueManager', () => {
  it('expires a confirmation after the timeout, once, and not after it was answered', () => {
    const clock = new ManualClock();
    const expired: string[] = [];
    const dm = new DialogueManager({ clock, followUpWindowMs: 60_000, confirmationTimeoutMs: 8000, onConfirmationExpired: (s) => expired.push(s.id) });
    const a = dm.session('a');
    const b = dm.session('b');
    dm.askConfirmation(a, { frame, plan, ruleId: 'r', lang: 'en-US', seat: 'driver' });
    dm.askConfirmation(b, { frame, plan, ruleId: 'r', lang: 'en-US', seat: 'driver' });
    clock.advance(4000);
    expect(dm.clearConfirmation(b)).toBeDefined();
    clock.advance(4000);
    expect(expired).toEqual(['a']);
    expect(a.pendingConfirmation).toBeUndefined();
    clock.advance(60_000);
    expect(expired).toEqual(['a']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('forgets follow-up context older than the window', () => {
    const clock = new ManualClock();
    const dm = new DialogueManager({ clock, followUpWindowMs: 30_000, confirmationTimeoutMs: 8000 });
    dm.session('a').last = { frame, plan, outcomes: [], at: clock.now() };
    clock.advance(29_000);
    expect(dm.session('a').last).toBeDefined();
    clock.advance(31_000);
    expect(dm.session('a').last).toBeUndefined();
  });

  it('keeps at most maxSessions (least recently used dropped) and close() cancels timers', () => {
    const clock = new ManualClock();
    const dm = new DialogueManager({ clock, followUpWindowMs: 30_000, confirmationTimeoutMs: 8000, maxSessions: 2 });
    dm.askConfirmation(dm.session('a'), { frame, plan, ruleId: 'r', lang: 'en-US', seat: 'driver' });
    dm.session('b');
    dm.session('c');
    expect(dm.size).toBe(2);
    expect(clock.pendingTimers).toBe(0);
    dm.askConfirmation(dm.session('b'), { frame, plan, ruleId: 'r', lang: 'en-US', seat: 'driver' });
    dm.close();
    dm.close();
    expect(clock.pendingTimers).toBe(0);
  });
});
