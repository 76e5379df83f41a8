import { describe, expect, it } from 'vitest';
import { compareSemver, satisfies } from './semver.js';

describe('semver', () => {
  it('orders versions and prereleases', () => {
    const sorted = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.10.0', '2.0.0'];
    for (let i = 1; i < sorted.length; i++) expect(compareSemver(sorted[i - 1]!, sorted[i]!), sorted[i]).toBe(-1);
    expect(compareSemver('1.2.3+build', '1.2.3')).toBe(0);
    expect(() => compareSemver('1.2', '1.2.0')).toThrow(/not a semantic version/);
  });

  it('evaluates ranges', () => {
    const cases: [string, string, boolean][] = [
      ['0.1.3', '^0.1.0', true], ['0.2.0', '^0.1.0', false], ['1.9.9', '^1.2.0', true], ['2.0.0', '^1.2.0', false],
      ['1.2.9', '~1.2.3', true], ['1.3.0', '~1.2.3', false], ['1.5.0', '>=1.2.0 <2.0.0', true], ['2.0.0', '>=1.2.0 <2.0.0', false],
      ['3.1.0', '1.x || 3.1.x', true], ['2.0.0', '1.x || 3.1.x', false], ['9.9.9', '*', true], ['1.2.3', '1.2.3', true],
      ['1.2.4', '1.2.3', false], ['0.0.3', '^0.0.3', true], ['0.0.4', '^0.0.3', false], ['1.9.0', '<2', true], ['2.1.0', '>1', true],
    ];
    for (const [v, r, want] of cases) expect(satisfies(v, r), `${v} ${r}`).toBe(want);
    expect(() => satisfies('1.0.0', '>=banana')).toThrow(/not a semantic version/);
  });
});
