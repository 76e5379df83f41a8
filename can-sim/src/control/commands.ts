import { validateTimeScale, type TimeScale } from '../clock/sim-clock.js';
import { SimErrors } from '../errors.js';
import { SCENARIO_NAMES, type ScenarioName } from '../scenarios/types.js';
import { isScenarioName } from '../scenarios/catalog.js';
import { CORNERS, GEAR_SELECTORS, IGNITION_STATES, type Corner, type GearSelector, type IgnitionState } from '../vehicle/state.js';

/**
 * Direct changes for test setups (`{"cmd":"set", ...}`). Speed, ignition and selector switch the
 * simulator to a manual driver that holds them until the next `scenario` command; the other fields
 * change the car's state once.
 */
export interface SimSetCommand {
  /** Jump to this speed and hold it (0 = stop and park). */
  speedKmh?: number;
  ignition?: IgnitionState;
  selector?: GearSelector;
  fuelPct?: number;
  outsideTempC?: number;
  cabinTempC?: number;
  /** 0 = dry .. 1 = heavy rain (also makes the road wet). */
  rain?: number;
  night?: boolean;
  doorsOpen?: Partial<Record<Corner, boolean>>;
  doorsLocked?: Partial<Record<Corner, boolean>>;
  /** Window positions (0 closed .. 100 open), set at once. */
  windows?: Partial<Record<Corner, number>>;
  trunkOpen?: boolean;
  trunkLocked?: boolean;
  /** Cold tyre pressures in kPa. */
  tyrePressureKpa?: Partial<Record<Corner, number>>;
  tyreLeakKpaPerMin?: Partial<Record<Corner, number>>;
  mil?: boolean;
  seatBeltDriver?: boolean;
  seatBeltPassenger?: boolean;
}

export type ControlCommand =
  | { cmd: 'scenario'; name: ScenarioName; seed?: number }
  | { cmd: 'fault'; fault: Record<string, unknown> }
  | { cmd: 'clearFault'; id: string }
  | { cmd: 'clearFaults' }
  | { cmd: 'pause' }
  | { cmd: 'resume' }
  | { cmd: 'timeScale'; value: TimeScale }
  | { cmd: 'set'; set: SimSetCommand };

export const CONTROL_COMMANDS = ['scenario', 'fault', 'clearFault', 'clearFaults', 'pause', 'resume', 'timeScale', 'set'] as const;

type Check = (value: unknown, path: string) => unknown;

const num = (min: number, max: number): Check => (v, path) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw SimErrors.badControl(`${path} must be a number in [${min}, ${max}]`);
  return v;
};
const bool: Check = (v, path) => {
  if (typeof v !== 'boolean') throw SimErrors.badControl(`${path} must be true or false`);
  return v;
};
const oneOf = (values: readonly string[]): Check => (v, path) => {
  if (typeof v !== 'string' || !values.includes(v)) throw SimErrors.badControl(`${path} must be one of ${values.join(', ')}`);
  return v;
};
const perCorner = (inner: Check): Check => (v, path) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw SimErrors.badControl(`${path} must be an object keyed by ${CORNERS.join('/')}`);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (!(CORNERS as readonly string[]).includes(k)) throw SimErrors.badControl(`${path}.${k}: corner must be one of ${CORNERS.join(', ')}`);
    out[k] = inner(x, `${path}.${k}`);
  }
  return out;
};

const SET_FIELDS: Record<keyof SimSetCommand, Check> = {
  speedKmh: num(0, 250),
  ignition: oneOf(IGNITION_STATES),
  selector: oneOf(GEAR_SELECTORS),
  fuelPct: num(0, 100),
  outsideTempC: num(-50, 80),
  cabinTempC: num(-40, 90),
  rain: num(0, 1),
  night: bool,
  doorsOpen: perCorner(bool),
  doorsLocked: perCorner(bool),
  windows: perCorner(num(0, 100)),
  trunkOpen: bool,
  trunkLocked: bool,
  tyrePressureKpa: perCorner(num(0, 500)),
  tyreLeakKpaPerMin: perCorner(num(0, 1000)),
  mil: bool,
  seatBeltDriver: bool,
  seatBeltPassenger: bool,
};

export function parseSetCommand(input: Record<string, unknown>, ignore: readonly string[] = []): SimSetCommand {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (ignore.includes(key)) continue;
    const check = SET_FIELDS[key as keyof SimSetCommand];
    if (!check) throw SimErrors.badControl(`set: unknown field "${key}" (known: ${Object.keys(SET_FIELDS).join(', ')})`);
    out[key] = check(value, `set.${key}`);
  }
  return out as SimSetCommand;
}

/**
 * Parses a sim/control payload (JSON text, bytes or an object). Throws AURIGA_ERR_SIM_BAD_CONTROL
 * saying what is wrong. Fault fields are validated when the fault is added.
 */
export function parseControlCommand(payload: string | Uint8Array | Record<string, unknown>): ControlCommand {
  let value: unknown = payload;
  if (typeof payload === 'string' || payload instanceof Uint8Array) {
    const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw SimErrors.badControl(`not JSON: ${(err as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw SimErrors.badControl('expected a JSON object');
  const c = value as Record<string, unknown>;
  switch (c.cmd) {
    case 'scenario': {
      if (typeof c.name !== 'string' || !isScenarioName(c.name)) {
        throw SimErrors.badControl(`scenario: name ${JSON.stringify(c.name)} is not one of ${SCENARIO_NAMES.join(', ')}`);
      }
      const cmd: ControlCommand = { cmd: 'scenario', name: c.name };
      if (c.seed !== undefined) cmd.seed = num(0, 2 ** 32 - 1)(c.seed, 'scenario.seed') as number;
      return cmd;
    }
    case 'fault': {
      // Either {cmd:'fault', kind:..., ...} or {cmd:'fault', fault:{kind:...}}.
      const fault = typeof c.fault === 'object' && c.fault !== null ? (c.fault as Record<string, unknown>) : { ...c };
      delete fault.cmd;
      return { cmd: 'fault', fault };
    }
    case 'clearFault':
      if (typeof c.id !== 'string') throw SimErrors.badControl('clearFault: id must be a string');
      return { cmd: 'clearFault', id: c.id };
    case 'clearFaults':
    case 'pause':
    case 'resume':
      return { cmd: c.cmd };
    case 'timeScale':
      try {
        return { cmd: 'timeScale', value: validateTimeScale(c.value) };
      } catch (err) {
        throw SimErrors.badControl(`timeScale: ${(err as Error).message}`);
      }
    case 'set': {
      const fields = typeof c.set === 'object' && c.set !== null ? (c.set as Record<string, unknown>) : c;
      return { cmd: 'set', set: parseSetCommand(fields, fields === c ? ['cmd'] : []) };
    }
    default:
      throw SimErrors.badControl(`cmd ${JSON.stringify(c.cmd)} is not one of ${CONTROL_COMMANDS.join(', ')}`);
  }
}
