import type { Prng } from '../util/prng.js';
import type { DriverControls } from '../vehicle/inputs.js';
import { bump, schedule, startupIgnition, steeringForRadius, total, wander, type Segment } from './route.js';

/** Parked with the engine idling (or with the key in `ignition`), for `durationS` (Infinity = forever). */
export function parked(durationS: number, ignition: 'on' | 'off' | 'lock' | 'acc' = 'on'): Segment {
  return { label: 'parked', durationS, park: true, targetKmh: () => 0, ignition: () => ignition };
}

/**
 * Getting in and starting: door opens and closes, key to ACC/ON/START, seat belts, then a few
 * seconds of idling before pulling away.
 */
export function startup(rng: Prng): Segment {
  const passenger = rng.chance(0.4);
  return {
    label: 'parked',
    durationS: 5,
    park: true,
    targetKmh: () => 0,
    ignition: startupIgnition,
    controls: (t) => {
      const c: DriverControls = { doorsOpen: { FL: t > 0.2 && t < 1.5, ...(passenger ? { FR: t > 0.4 && t < 1.8 } : {}) } };
      if (t > 2) {
        c.climate = { setpointC: 21, fanPct: 40, acOn: true };
        c.seatBeltDriver = true;
        c.passengerPresent = passenger;
        c.seatBeltPassenger = passenger;
      }
      return c;
    },
  };
}

/** Urban driving between junctions at 30-50 km/h (speed scaled by `scale`). */
export function cityBlock(rng: Prng, scale = 1): Segment {
  const target = rng.range(30, 50) * scale;
  const steer = wander(rng, 6);
  return { label: 'city', durationS: rng.range(12, 40), targetKmh: () => target, steering: (t) => steer(t) };
}

/** A 90-degree turn at a junction at walking pace: slow to ~15 km/h and turn the wheel. */
export function cityTurn(rng: Prng): Segment {
  const direction = rng.chance(0.5) ? 1 : -1;
  const wheel = direction * steeringForRadius(rng.range(9, 14));
  return {
    label: 'city',
    durationS: 10,
    targetKmh: (t) => (t < 7 ? 15 : 30),
    decel: 2.5,
    steering: (t) => wheel * bump(t, 3.5, 4),
    controls: (t) => ({ turnSignal: t < 6.5 ? (direction > 0 ? 'left' : 'right') : 'none' }),
  };
}

/** Waiting at a red light. */
export function trafficLight(rng: Prng): Segment {
  return { label: 'city', durationS: rng.range(10, 35), targetKmh: () => 0, decel: 2.5 };
}

/** Queueing traffic: crawl a few metres, stop, crawl again. */
export function stopAndGo(rng: Prng): Segment {
  const parts: Array<[number, number]> = [];
  const length = rng.range(60, 150);
  while (total(parts) < length) {
    parts.push([rng.range(3, 9), rng.range(6, 18)]);
    parts.push([rng.range(3, 12), 0]);
  }
  const speed = schedule(parts);
  const steer = wander(rng, 3);
  return { label: 'stop_and_go', durationS: total(parts), targetKmh: speed, accel: 1.2, decel: 2, steering: (t) => steer(t) };
}

/** Country road at 70-95 km/h with bends of 150-500 m radius. */
export function ruralRoad(rng: Prng, scale = 1): Segment {
  const target = rng.range(70, 95) * scale;
  const bends: Array<{ at: number; length: number; wheel: number }> = [];
  const durationS = rng.range(40, 120);
  for (let at = rng.range(5, 15); at < durationS - 10; at += rng.range(12, 30)) {
    bends.push({ at, length: rng.range(6, 12), wheel: (rng.chance(0.5) ? 1 : -1) * steeringForRadius(rng.range(150, 500)) });
  }
  const steer = wander(rng, 2);
  return {
    label: 'rural',
    durationS,
    targetKmh: () => target,
    steering: (t) => steer(t) + bends.reduce((sum, b) => sum + b.wheel * bump(t, b.at, b.length), 0),
  };
}

export interface HighwayOptions {
  /** Chance per segment of a car cutting in close ahead (forward collision warning, firm braking). */
  cutInChance?: number;
  /** Chance per segment of drifting over a lane marking without the indicator. */
  driftChance?: number;
}

/**
 * Motorway cruising at 110-130 km/h: lane changes with the indicator, cruise control once settled,
 * now and then a drift over the marking (lane departure warning) or a car cutting in (forward
 * collision warning and firm braking).
 */
export function highwayCruise(rng: Prng, options: HighwayOptions = {}): Segment {
  const cruiseKmh = Math.round(rng.range(110, 130));
  const durationS = rng.range(60, 240);
  const steer = wander(rng, 1.2);
  const laneChanges: Array<{ at: number; dir: number }> = [];
  for (let at = rng.range(20, 50); at < durationS - 15; at += rng.range(30, 90)) {
    laneChanges.push({ at, dir: rng.chance(0.5) ? 1 : -1 });
  }
  const drift = rng.chance(options.driftChance ?? 0.25) ? rng.range(25, Math.max(26, durationS - 10)) : undefined;
  const cutIn = rng.chance(options.cutInChance ?? 0.12) ? rng.range(30, Math.max(31, durationS - 15)) : undefined;
  const laneChangeWheel = 4;
  return {
    label: 'highway',
    durationS,
    targetKmh: (t) => (cutIn !== undefined && t >= cutIn && t < cutIn + 6 ? cruiseKmh - 35 : cruiseKmh),
    decel: 3,
    accel: 1.2,
    steering: (t) => {
      let angle = steer(t);
      for (const lc of laneChanges) angle += lc.dir * laneChangeWheel * (bump(t, lc.at + 2, 2) - bump(t, lc.at + 4, 2));
      if (drift !== undefined) angle += -laneChangeWheel * 0.4 * bump(t, drift, 3);
      return angle;
    },
    controls: (t) => {
      const indicating = laneChanges.find((lc) => t >= lc.at && t < lc.at + 6.5);
      const braking = cutIn !== undefined && t >= cutIn && t < cutIn + 6;
      return {
        turnSignal: indicating ? (indicating.dir > 0 ? 'left' : 'right') : 'none',
        laneDrift: drift !== undefined && t >= drift + 0.8 && t < drift + 2.3,
        leadGapS: braking ? 0.7 + (t - cutIn!) * 0.25 : Infinity,
        cruise: { active: t > 15 && !braking, setSpeedKmh: cruiseKmh },
      };
    },
  };
}

/** Slower motorway stretch (roadworks, heavy traffic) at 80-95 km/h. */
export function highwaySlow(rng: Prng): Segment {
  const target = rng.range(80, 95);
  const steer = wander(rng, 1.5);
  return { label: 'highway', durationS: rng.range(20, 60), targetKmh: () => target, steering: (t) => steer(t), controls: () => ({ cruise: { active: false, setSpeedKmh: 0 } }) };
}

/** Accelerating up a slip road onto the motorway. */
export function onRamp(rng: Prng): Segment {
  const target = rng.range(100, 115);
  return { label: 'highway', durationS: 25, targetKmh: (t) => (t < 4 ? 60 : target), accel: 2.2, steering: (t) => steeringForRadius(250) * bump(t, 1, 6), controls: (t) => ({ turnSignal: t > 15 && t < 20 ? 'left' : 'none' }) };
}
