import { describe, expect, it } from 'vitest';
import { SimClock, validateTimeScale } from './sim-clock.js';
import { FakeTimers } from './fake-timers.js';

function makeClock(timeScale: number | 'max', extra: { maxStepsPerTick?: number } = {}) {
  const timers = new FakeTimers();
  const steps: number[] = [];
  let ticks = 0;
  let lag = 0;
  const clock = new SimClock({
    dt: 0.01,
    timeScale,
    timers,
    tickMs: 10,
    onStep: (t) => steps.push(t),
    onTick: () => ticks++,
    onLag: (s) => (lag += s),
    ...extra,
  });
  return { clock, timers, steps, ticks: () => ticks, lag: () => lag };
}

describe('SimClock', () => {
  it('advance() steps synchronously at a fixed dt without timers', () => {
    const { clock, steps, timers } = makeClock(1);
    clock.advance(0.5);
    expect(steps).toHaveLength(50);
    expect(clock.simTime).toBeCloseTo(0.5, 9);
    expect(steps[0]).toBeCloseTo(0.01, 9);
    expect(timers.pendingCount).toBe(0);
  });

  it('keeps simulated time at 1x wall time', () => {
    const { clock, timers } = makeClock(1);
    clock.start();
    timers.tick(1000);
    expect(clock.simTime).toBeCloseTo(1, 1);
    clock.stop();
  });

  it('runs N times faster with a time scale of N', () => {
    const { clock, timers } = makeClock(20);
    clock.start();
    timers.tick(500);
    expect(clock.simTime).toBeGreaterThan(9.8);
    expect(clock.simTime).toBeLessThanOrEqual(10.0 + 1e-9);
    clock.setTimeScale(2);
    const before = clock.simTime;
    timers.tick(1000);
    expect(clock.simTime - before).toBeCloseTo(2, 1);
    clock.stop();
  });

  it('pause() freezes simulated time and resume() continues without a jump', () => {
    const { clock, timers } = makeClock(1);
    clock.start();
    timers.tick(200);
    clock.pause();
    const frozen = clock.simTime;
    timers.tick(5000);
    expect(clock.simTime).toBe(frozen);
    clock.resume();
    timers.tick(100);
    expect(clock.simTime - frozen).toBeCloseTo(0.1, 1);
    clock.stop();
  });

  it('stop() is idempotent and leaves no timer behind', () => {
    const { clock, timers } = makeClock(1);
    clock.start();
    timers.tick(50);
    clock.stop();
    clock.stop();
    expect(timers.pendingCount).toBe(0);
    const t = clock.simTime;
    timers.tick(1000);
    expect(clock.simTime).toBe(t);
  });

  it('skips ahead instead of spiralling when it cannot keep up', () => {
    const { clock, timers, lag } = makeClock(1000, { maxStepsPerTick: 100 });
    clock.start();
    timers.tick(10); // 10 s of simulated time due, only 1 s allowed per tick
    expect(clock.simTime).toBeLessThanOrEqual(2.0 + 1e-9);
    expect(lag()).toBeGreaterThan(0);
    clock.stop();
  });

  it("'max' runs bounded chunks and yields between them", () => {
    const { clock, timers, ticks } = makeClock('max', { maxStepsPerTick: 100 });
    clock.start();
    timers.runNext();
    timers.runNext();
    // Fake time does not move inside a chunk, so each chunk stops at maxStepsPerTick.
    expect(clock.stepCount).toBe(200);
    expect(ticks()).toBe(2);
    expect(timers.pendingCount).toBe(1);
    clock.stop();
  });

  it('validates the time scale', () => {
    expect(validateTimeScale('max')).toBe('max');
    expect(validateTimeScale(5)).toBe(5);
    expect(() => validateTimeScale(0)).toThrow(/time scale/);
    expect(() => validateTimeScale(-1)).toThrow(/time scale/);
    expect(() => validateTimeScale('fast')).toThrow(/time scale/);
  });
});
