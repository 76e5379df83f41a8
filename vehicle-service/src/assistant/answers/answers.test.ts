import { describe, expect, it } from 'vitest';
import { ANSWER_KEYS, ANSWER_LANGS, type AnswerParams, type Part } from '../types.js';
import { LANGUAGE_PACKS, outcomeAnswer, renderAnswer } from './index.js';

/** Parameters rich enough for every template. */
const SAMPLE: AnswerParams = {
  op: 'close',
  parts: [{ kind: 'window', seat: 'driver' }, { kind: 'window', seat: 'rearLeft' }],
  part: { kind: 'trunk' },
  value: { n: 22, unit: 'celsius' },
  count: 1,
  total: 2,
  name: 'mom',
  fuelPercent: 23,
  rangeKm: 140,
  distanceKm: 12.3,
  pressures: [{ tyre: 'rearLeft', kPa: 180, low: true }, { tyre: 'frontLeft', kPa: 230, low: false }],
  warnings: ['checkEngine', 'fuelLow'],
  limitPercent: 20,
  slot: 'temperature',
  ruleId: 'no-opening-above-walking-speed',
  failure: 'timeout',
  failures: [{ part: { kind: 'window', seat: 'rearLeft' }, status: 'timeout', failure: 'timeout' }],
};

describe('answer templates', () => {
  it.each(ANSWER_LANGS)('%s has a template for every key, and each renders a sentence', (lang) => {
    const templates = LANGUAGE_PACKS[lang].templates;
    expect(Object.keys(templates).sort()).toEqual([...ANSWER_KEYS].sort());
    for (const key of ANSWER_KEYS) {
      const text = renderAnswer({ key, params: SAMPLE }, lang);
      expect(text, `${lang} ${key}`).toMatch(/\S/);
      expect(text, `${lang} ${key}`).not.toMatch(/undefined|NaN|\[object/);
      // Also with no parameters at all (templates must not crash on a bare key).
      expect(() => renderAnswer({ key }, lang)).not.toThrow();
    }
  });

  it('renders zh-CN answers with Chinese units and part names', () => {
    expect(renderAnswer({ key: 'fuel', params: { fuelPercent: 23, rangeKm: 140 } }, 'zh-CN')).toBe('油量还剩23%，大约可行驶140公里。');
    expect(renderAnswer({ key: 'done', params: { op: 'set', parts: [{ kind: 'temperature', zone: 'passenger' }], value: { n: 21.5, unit: 'celsius' } } }, 'zh-CN')).toBe('已将副驾温度设为21.5°C。');
    expect(renderAnswer({ key: 'done', params: { op: 'close', parts: ['driver', 'passenger', 'rearLeft', 'rearRight'].map((seat) => ({ kind: 'window', seat }) as Part) } }, 'zh-CN')).toBe('已关闭所有车窗。');
    expect(renderAnswer(outcomeAnswer(
      { kind: 'actions', op: 'close', requests: [{ path: 'a', value: 0, part: { kind: 'window', seat: 'driver' } }, { path: 'b', value: 0, part: { kind: 'window', seat: 'rearLeft' } }] },
      [{ path: 'a', value: 0, status: 'confirmed' }, { path: 'b', value: 0, status: 'failed', reason: 'the BCM ECU rejected the request (actuator fault)' }],
    ), 'zh-CN')).toBe('已关闭2扇车窗中的1扇；左后车窗报告了故障。');
  });

  it('names groups of parts naturally in en-US', () => {
    const doors = ['driver', 'passenger', 'rearLeft', 'rearRight'].map((seat) => ({ kind: 'doorLock', seat }) as Part);
    expect(renderAnswer({ key: 'done', params: { op: 'lock', parts: [...doors, { kind: 'trunkLock' }] } }, 'en-US')).toBe('I locked the car.');
    expect(renderAnswer({ key: 'done', params: { op: 'lock', parts: doors.slice(2) } }, 'en-US')).toBe('I locked the rear doors.');
    expect(renderAnswer({ key: 'done', params: { op: 'turnOn', parts: [{ kind: 'defrost', target: 'front' }] } }, 'en-US')).toBe('I turned on the windshield defroster.');
  });

  it('turns outcomes into done / partial / refused / failed', () => {
    const plan = { kind: 'actions' as const, op: 'open' as const, requests: [{ path: 'x', value: true, part: { kind: 'trunk' } as Part }] };
    expect(outcomeAnswer(plan, [{ path: 'x', value: true, status: 'confirmed' }]).key).toBe('done');
    expect(outcomeAnswer(plan, [{ path: 'x', value: true, status: 'timeout', reason: 'slow' }])).toMatchObject({ key: 'failed', params: { failure: 'timeout' } });
    const refused = outcomeAnswer(plan, [{ path: 'x', value: true, status: 'refused', ruleId: 'ecu-status-stale', reason: 'stale' }]);
    expect(renderAnswer(refused, 'en-US')).toBe("I can't reach the trunk right now, so I left it as it is.");
    const ecu = outcomeAnswer(plan, [{ path: 'x', value: true, status: 'refused', reason: 'the BCM ECU rejected the request (its own safety policy)' }]);
    expect(renderAnswer(ecu, 'en-US')).toBe("The car didn't let me open the trunk.");
    const offline = outcomeAnswer(plan, [{ path: 'x', value: true, status: 'failed', reason: 'not connected to the vehicle bus (MQTT broker unreachable)' }]);
    expect(renderAnswer(offline, 'en-US')).toBe("I couldn't open the trunk: it can't be reached: I'm not connected to the car.");
  });
});
