import { describe, expect, it } from 'vitest';
import { enUS } from './en-US.js';
import { DICTIONARIES, displayUnit, formatDuration, formatNumber, placeholders, translate } from './index.js';
import { zhCN } from './zh-CN.js';

describe('dictionaries', () => {
  it('en-US and zh-CN have exactly the same keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(enUS).sort());
  });

  it('every translation uses the same placeholders as the English message', () => {
    for (const key of Object.keys(enUS) as Array<keyof typeof enUS>) {
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(enUS[key]));
    }
  });

  it('has no empty message, and zh-CN is really translated (Chinese text in most messages)', () => {
    for (const [lang, dict] of Object.entries(DICTIONARIES)) {
      for (const [key, msg] of Object.entries(dict)) expect(msg.trim(), `${lang} ${key}`).not.toBe('');
    }
    const han = Object.values(zhCN).filter((m) => /\p{Script=Han}/u.test(m)).length;
    expect(han / Object.keys(zhCN).length).toBeGreaterThan(0.9);
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en-US', 'banner.retryIn', { s: 3 })).toBe('Retrying in 3 s.');
    expect(translate('zh-CN', 'banner.retryIn', { s: 3 })).toBe('3 秒后重试。');
    expect(translate('en-US', 'actuation.refused', {})).toBe('Refused: {reason}');
  });

  it('formats numbers, durations and units', () => {
    expect(formatNumber('en-US', 1234.56, 1)).toBe('1,234.6');
    expect(formatNumber('zh-CN', 21, 1)).toBe('21.0');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(65)).toBe('1:05');
    expect(displayUnit('celsius')).toBe('°C');
    expect(displayUnit('kPa')).toBe('kPa');
    expect(displayUnit(null)).toBe('');
  });
});
