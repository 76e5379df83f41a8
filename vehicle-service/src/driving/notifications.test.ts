import { describe, expect, it } from 'vitest';
import { Notifier, type NotificationDraft } from './notifications.js';
import type { DrivingNotification } from './types.js';

const draft = (kind: NotificationDraft['kind'], subject: string, text: string = kind): NotificationDraft => ({
  kind, subject, severity: 'warning', text, lang: 'en-US', facts: [], createdAt: 0,
});

function notifier(opts: { minIntervalMs?: Record<string, number>; globalMinIntervalMs?: number } = {}) {
  let now = 0;
  const delivered: DrivingNotification[] = [];
  const n = new Notifier({ now: () => now, deliver: (x) => delivered.push(x), ...opts });
  return { n, delivered, set: (t: number) => { now = t; } };
}

describe('Notifier', () => {
  it('rate-limits per kind and subject', () => {
    const { n, delivered, set } = notifier({ minIntervalMs: { tyre_pressure: 60_000 } });
    expect(n.offer(draft('tyre_pressure', 'RL'))).toBe('delivered');
    set(10_000);
    expect(n.offer(draft('tyre_pressure', 'RL'))).toBe('rate_limited');
    expect(n.offer(draft('tyre_pressure', 'FR'))).toBe('delivered');
    set(60_000);
    expect(n.offer(draft('tyre_pressure', 'RL'))).toBe('delivered');
    expect(delivered.map((d) => d.subject)).toEqual(['RL', 'FR', 'RL']);
    expect(n.dropped.rateLimited).toBe(1);
    expect(n.list().map((d) => d.subject)).toEqual(['RL', 'FR', 'RL']);
  });

  it('holds notifications while a voice interaction is in progress and delivers them after, most severe first', () => {
    const { n, delivered, set } = notifier();
    n.setInteractionActive(true);
    expect(n.offer(draft('low_fuel', ''))).toBe('deferred');
    expect(n.offer({ ...draft('warning', 'mil'), severity: 'critical' })).toBe('deferred');
    expect(n.offer(draft('low_fuel', '', 'newer'))).toBe('deferred');
    expect(delivered).toHaveLength(0);
    expect(n.pendingCount).toBe(2);
    set(5000);
    n.setInteractionActive(false);
    expect(delivered.map((d) => d.text)).toEqual(['warning', 'newer']);
    expect(delivered[0]!.deliveredAt).toBe(5000);
  });

  it('spaces any two notifications by the global interval', () => {
    const { n, delivered, set } = notifier({ globalMinIntervalMs: 10_000 });
    n.offer(draft('low_fuel', ''));
    expect(n.offer(draft('warning', 'mil'))).toBe('deferred');
    set(5000);
    n.flush();
    expect(delivered).toHaveLength(1);
    set(10_000);
    n.flush();
    expect(delivered.map((d) => d.kind)).toEqual(['low_fuel', 'warning']);
  });
});
