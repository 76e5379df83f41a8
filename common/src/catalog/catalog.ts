import { SIGNALS } from './signals.js';
import type { SignalSpec, VssDataType } from './types.js';

export interface SignalCatalog {
  readonly signals: readonly SignalSpec[];
  get(path: string): SignalSpec | undefined;
  /** Signals whose path is `prefix` or lies below it (dot boundaries: `Vehicle.Cabin.Door` does not match `Vehicle.Cabin.DoorCount`). */
  subtree(prefix: string): SignalSpec[];
  /** undefined when `value` is acceptable for the signal, else a plain-English reason. */
  checkValue(path: string, value: unknown): string | undefined;
}

/** Value range of each VSS integer type. */
export const INTEGER_RANGES: Readonly<Partial<Record<VssDataType, readonly [number, number]>>> = {
  uint8: [0, 255], int8: [-128, 127],
  uint16: [0, 65_535], int16: [-32_768, 32_767],
  uint32: [0, 4_294_967_295], int32: [-2_147_483_648, 2_147_483_647],
};

export function isIntegerType(datatype: VssDataType): boolean {
  return INTEGER_RANGES[datatype] !== undefined;
}

export function isNumericType(datatype: VssDataType): boolean {
  return datatype !== 'boolean' && datatype !== 'string';
}

const PATH_PATTERN = /^Vehicle(\.[A-Z][A-Za-z0-9]*)+$/;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return `a value of type ${Array.isArray(value) ? 'array' : typeof value}`;
}

function withUnit(n: number, unit: string | undefined): string {
  return unit ? `${n} ${unit}` : String(n);
}

function checkSpecValue(spec: SignalSpec, value: unknown): string | undefined {
  const { path, datatype } = spec;
  if (datatype === 'boolean') {
    return typeof value === 'boolean' ? undefined : `${path} must be a boolean, got ${describe(value)}`;
  }
  if (datatype === 'string') {
    if (typeof value !== 'string') return `${path} must be a string, got ${describe(value)}`;
    if (spec.allowed && !spec.allowed.includes(value)) {
      return `${path} must be one of ${spec.allowed.join(', ')}, got ${describe(value)}`;
    }
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return `${path} must be a number, got ${describe(value)}`;
  }
  const intRange = INTEGER_RANGES[datatype];
  if (intRange && !Number.isInteger(value)) return `${path} must be an integer, got ${value}`;
  const min = spec.min ?? intRange?.[0];
  const max = spec.max ?? intRange?.[1];
  if (min !== undefined && max !== undefined && (value < min || value > max)) {
    return `${path} must be between ${min} and ${withUnit(max, spec.unit)}, got ${value}`;
  }
  if (min !== undefined && value < min) return `${path} must be at least ${withUnit(min, spec.unit)}, got ${value}`;
  if (max !== undefined && value > max) return `${path} must be at most ${withUnit(max, spec.unit)}, got ${value}`;
  return undefined;
}

/** Checks the specs themselves (a catalog bug is a programming error, so it throws a plain Error). */
function validateSpecs(signals: readonly SignalSpec[]): void {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const spec of signals) {
    const { path } = spec;
    if (!PATH_PATTERN.test(path)) problems.push(`${path}: not a VSS path`);
    if (seen.has(path)) problems.push(`${path}: defined twice`);
    seen.add(path);
    if (spec.allowed && spec.datatype !== 'string') problems.push(`${path}: allowed values need datatype string`);
    if ((spec.min !== undefined || spec.max !== undefined) && !isNumericType(spec.datatype)) {
      problems.push(`${path}: min/max need a numeric datatype`);
    }
    if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) {
      problems.push(`${path}: min ${spec.min} is above max ${spec.max}`);
    }
    const intRange = INTEGER_RANGES[spec.datatype];
    if (intRange && ((spec.min ?? intRange[0]) < intRange[0] || (spec.max ?? intRange[1]) > intRange[1])) {
      problems.push(`${path}: range does not fit ${spec.datatype}`);
    }
    if (!spec.description) problems.push(`${path}: missing description`);
  }
  // A leaf cannot also be a branch: Vehicle.A and Vehicle.A.B together would make subtree() ambiguous.
  for (const path of seen) {
    const cut = path.lastIndexOf('.');
    if (cut > 0 && seen.has(path.slice(0, cut))) problems.push(`${path.slice(0, cut)}: is both a signal and a branch`);
  }
  if (problems.length > 0) throw new Error(`invalid signal catalog:\n  ${problems.join('\n  ')}`);
}

export function createSignalCatalog(signals: readonly SignalSpec[]): SignalCatalog {
  validateSpecs(signals);
  const frozen = Object.freeze(signals.map((s) => Object.freeze({ ...s })));
  const byPath = new Map(frozen.map((s) => [s.path, s] as const));
  return {
    signals: frozen,
    get: (path) => byPath.get(path),
    subtree(prefix) {
      const trimmed = prefix.endsWith('.') ? prefix.slice(0, -1) : prefix;
      const below = `${trimmed}.`;
      return frozen.filter((s) => s.path === trimmed || s.path.startsWith(below));
    },
    checkValue(path, value) {
      const spec = byPath.get(path);
      if (!spec) return `${path} is not a known signal`;
      return checkSpecValue(spec, value);
    },
  };
}

/** The catalog of the signals Auriga understands (COVESA VSS 4.0 names). */
export const catalog: SignalCatalog = createSignalCatalog(SIGNALS);
