import { describe, expect, it } from 'vitest';
import { contrastRatio, luminance } from './contrast.js';
import { CONTRAST_PAIRS, cssVariables, PALETTES, type ThemeName } from './palette.js';

describe('WCAG contrast maths', () => {
  it('matches the reference values', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 9);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    // #767676 on white is the classic lightest grey that passes AA (4.54:1).
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(luminance('#ff0000')).toBeCloseTo(0.2126, 4);
    expect(() => luminance('red')).toThrow(/#rrggbb/);
  });
});

describe.each(Object.keys(PALETTES) as ThemeName[])('the %s palette', (theme) => {
  it.each(CONTRAST_PAIRS.map((p) => [p.what, p] as const))('passes WCAG AA: %s', (_what, pair) => {
    const fg = PALETTES[theme][pair.fg];
    const bg = PALETTES[theme][pair.bg];
    expect(contrastRatio(fg, bg), `${pair.fg} ${fg} on ${pair.bg} ${bg}`).toBeGreaterThanOrEqual(pair.min);
  });

  it('defines every CSS variable', () => {
    expect(Object.keys(cssVariables(theme))).toContain('--text-muted');
    expect(Object.keys(cssVariables(theme))).toHaveLength(Object.keys(PALETTES.day).length);
  });
});
