import { describe, expect, it } from 'vitest';
import { evaluatePolicy, POLICY_RULES, type PolicyContext } from './policy.js';

const settings = { walkingSpeedKmh: 5, highwaySpeedKmh: 100, highwayMaxOpeningPercent: 20 };
const ctx = (speedKmh: number | undefined, ecuStatusStale = false): PolicyContext => ({ speedKmh, ownerEcu: 'BCM', ecuStatusStale });

const DOOR = 'Vehicle.Cabin.Door.Row1.DriverSide.IsOpen';
const TRUNK = 'Vehicle.Body.Trunk.Rear.IsOpen';
const WINDOW = 'Vehicle.Cabin.Door.Row1.PassengerSide.Window.Position';
const SUNROOF = 'Vehicle.Cabin.Sunroof.Position';
const TEMP = 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature';

describe('policy', () => {
  it('every rule has a unique id and a description', () => {
    const ids = POLICY_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of POLICY_RULES) expect(r.description.length).toBeGreaterThan(10);
  });

  it('allows opening a door when stopped and at walking speed (inclusive)', () => {
    expect(evaluatePolicy({ path: DOOR, value: true }, ctx(0), settings)).toEqual({ allowed: true });
    expect(evaluatePolicy({ path: DOOR, value: true }, ctx(5), settings)).toEqual({ allowed: true });
  });

  it('refuses opening a door or the trunk above walking speed, with a reason', () => {
    const d = evaluatePolicy({ path: DOOR, value: true }, ctx(5.1), settings);
    expect(d).toMatchObject({ allowed: false, ruleId: 'no-opening-above-walking-speed' });
    if (!d.allowed) expect(d.reason).toContain('5 km/h');
    expect(evaluatePolicy({ path: TRUNK, value: true }, ctx(30), settings)).toMatchObject({ allowed: false });
  });

  it('treats an unknown speed as moving', () => {
    const d = evaluatePolicy({ path: DOOR, value: true }, ctx(undefined), settings);
    expect(d).toMatchObject({ allowed: false, ruleId: 'no-opening-above-walking-speed' });
    if (!d.allowed) expect(d.reason).toContain('unknown');
    expect(evaluatePolicy({ path: WINDOW, value: 100 }, ctx(undefined), settings)).toMatchObject({ allowed: false });
  });

  it('always allows closing a door while moving', () => {
    expect(evaluatePolicy({ path: DOOR, value: false }, ctx(120), settings)).toEqual({ allowed: true });
  });

  it('refuses opening a window fully at 100 km/h but allows the limit and closing', () => {
    const full = evaluatePolicy({ path: WINDOW, value: 100 }, ctx(100), settings);
    expect(full).toMatchObject({ allowed: false, ruleId: 'window-opening-limited-at-highway-speed' });
    if (!full.allowed) expect(full.reason).toMatch(/at most 20%/);
    expect(evaluatePolicy({ path: WINDOW, value: 20 }, ctx(130), settings)).toEqual({ allowed: true });
    expect(evaluatePolicy({ path: WINDOW, value: 0 }, ctx(130), settings)).toEqual({ allowed: true });
    expect(evaluatePolicy({ path: WINDOW, value: 100 }, ctx(99.9), settings)).toEqual({ allowed: true });
  });

  it('limits the sunroof like a window; tilting (negative) is not an opening', () => {
    expect(evaluatePolicy({ path: SUNROOF, value: 50 }, ctx(110), settings)).toMatchObject({ allowed: false });
    expect(evaluatePolicy({ path: SUNROOF, value: -100 }, ctx(110), settings)).toEqual({ allowed: true });
  });

  it('refuses any actuation while the owning ECU is stale, naming the ECU', () => {
    const d = evaluatePolicy({ path: TEMP, value: 21 }, ctx(0, true), settings);
    expect(d).toMatchObject({ allowed: false, ruleId: 'ecu-status-stale' });
    if (!d.allowed) expect(d.reason).toContain('BCM');
  });

  it('does not restrict unrelated actuators at speed', () => {
    expect(evaluatePolicy({ path: TEMP, value: 28 }, ctx(180), settings)).toEqual({ allowed: true });
  });

  it('follows the configured limits', () => {
    const strict = { walkingSpeedKmh: 0, highwaySpeedKmh: 60, highwayMaxOpeningPercent: 0 };
    expect(evaluatePolicy({ path: DOOR, value: true }, ctx(1), strict)).toMatchObject({ allowed: false });
    expect(evaluatePolicy({ path: WINDOW, value: 5 }, ctx(60), strict)).toMatchObject({ allowed: false });
  });
});
