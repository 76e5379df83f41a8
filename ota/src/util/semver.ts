import { OtaErrors } from '../errors.js';

/**
 * The part of semantic versioning the OTA checks need: parse, compare (with prerelease ordering),
 * and ranges made of comparators (`>=1.2.0 <2.0.0`), caret (`^1.2.0`), tilde (`~1.2.0`), x-ranges
 * (`1.x`, `*`) and `||`. Kept here rather than a dependency because the car must evaluate exactly
 * what the signed manifest says, and this is small enough to test by hand.
 */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: (string | number)[];
}

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function parseSemver(text: string): SemVer {
  const m = SEMVER.exec(text.trim());
  if (!m) throw OtaErrors.badSemver(text);
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    prerelease: m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [],
  };
}

export function isSemver(text: string): boolean {
  return SEMVER.test(text.trim());
}

export function compareSemver(a: string | SemVer, b: string | SemVer): number {
  const x = typeof a === 'string' ? parseSemver(a) : a;
  const y = typeof b === 'string' ? parseSemver(b) : b;
  const d = x.major - y.major || x.minor - y.minor || x.patch - y.patch;
  if (d !== 0) return Math.sign(d);
  // A prerelease sorts before its release; identifiers compare numerically, then lexically.
  if (x.prerelease.length === 0 || y.prerelease.length === 0) {
    return x.prerelease.length === y.prerelease.length ? 0 : x.prerelease.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.max(x.prerelease.length, y.prerelease.length); i++) {
    const p = x.prerelease[i];
    const q = y.prerelease[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    if (typeof p === 'number' && typeof q === 'number') return Math.sign(p - q);
    if (typeof p === 'number') return -1;
    if (typeof q === 'number') return 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

type Comparator = { op: '>=' | '<=' | '>' | '<' | '='; v: SemVer };

export function satisfies(version: string, range: string): boolean {
  const v = parseSemver(version);
  return parseRange(range).some((set) => set.every((c) => test(v, c)));
}

/** Validates a range without evaluating it (so a manifest with a bad range is refused at build time). */
export function parseRange(range: string): Comparator[][] {
  const sets = range.split('||').map((s) => s.trim());
  return sets.map((set) => {
    if (set === '' || set === '*' || set === 'x') return [];
    return set.split(/\s+/).flatMap((token) => expand(token, range));
  });
}

function test(v: SemVer, c: Comparator): boolean {
  const d = compareSemver(v, c.v);
  switch (c.op) {
    case '>=': return d >= 0;
    case '<=': return d <= 0;
    case '>': return d > 0;
    case '<': return d < 0;
    case '=': return d === 0;
  }
}

function expand(token: string, range: string): Comparator[] {
  const m = /^(>=|<=|>|<|=|\^|~)?v?(.+)$/.exec(token);
  if (!m) throw OtaErrors.badSemver(range);
  const op = m[1] ?? '';
  const body = m[2]!;
  const xr = /^(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/.exec(body);
  if (xr && (xr[2] === undefined || xr[3] === undefined || /[xX*]/.test(body))) {
    // Partial version: 1, 1.2, 1.x, 1.2.*
    const parts = [xr[1], xr[2], xr[3]].map((p) => (p === undefined || /[xX*]/.test(p) ? undefined : Number(p)));
    const [maj, min] = parts;
    if (maj === undefined) return [];
    const lo = { major: maj, minor: min ?? 0, patch: parts[2] ?? 0, prerelease: [] };
    const hi = min === undefined ? { major: maj + 1, minor: 0, patch: 0, prerelease: [] } : { major: maj, minor: min + 1, patch: 0, prerelease: [] };
    if (op === '' || op === '=' || op === '^' || op === '~') return [{ op: '>=', v: lo }, { op: '<', v: hi }];
    if (op === '>=') return [{ op: '>=', v: lo }];
    if (op === '<') return [{ op: '<', v: lo }];
    if (op === '>') return [{ op: '>=', v: hi }];
    return [{ op: '<', v: hi }];
  }
  const v = parseSemver(body);
  if (op === '^') {
    const hi = v.major > 0 ? { major: v.major + 1, minor: 0, patch: 0 }
      : v.minor > 0 ? { major: 0, minor: v.minor + 1, patch: 0 } : { major: 0, minor: 0, patch: v.patch + 1 };
    return [{ op: '>=', v }, { op: '<', v: { ...hi, prerelease: [] } }];
  }
  if (op === '~') return [{ op: '>=', v }, { op: '<', v: { major: v.major, minor: v.minor + 1, patch: 0, prerelease: [] } }];
  return [{ op: (op || '=') as Comparator['op'], v }];
}
