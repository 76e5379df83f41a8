import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_INDEX as F } from './features.js';
import { SituationFusion } from './fusion.js';
import { classifyByRules } from './rules.js';

function features(o: Partial<Record<keyof typeof F, number>>): Float32Array {
  const f = new Float32Array(FEATURE_COUNT);
  f[F.ignition_frac] = 1;
  for (const [k, v] of Object.entries(o)) f[F[k as keyof typeof F]] = v;
  return f;
}

describe('situation rules and fusion', () => {
  it('rules: speed bands, parked from the ignition or P', () => {
    expect(classifyByRules(features({ ignition_frac: 0 }))).toBe('parked');
    expect(classifyByRules(features({ park_frac: 1, speed_max: 0 }))).toBe('parked');
    expect(classifyByRules(features({ speed_mean: 120 }))).toBe('highway');
    expect(classifyByRules(features({ speed_mean: 75 }))).toBe('rural');
    expect(classifyByRules(features({ speed_mean: 8, stops: 2 }))).toBe('stop_and_go');
    expect(classifyByRules(features({ speed_mean: 35 }))).toBe('city');
  });

  it('the model decides when confident; a new situation needs two decisions in a row', () => {
    const fusion = new SituationFusion();
    const f = features({ speed_mean: 85, speed_last: 85 });
    expect(fusion.decide(f, 'rural', { situation: 'highway', confidence: 0.9 })).toEqual({ situation: 'parked', source: 'rules' });
    expect(fusion.decide(f, 'rural', { situation: 'highway', confidence: 0.9 })).toMatchObject({ situation: 'highway', source: 'model' });
    // One odd window does not flip it.
    expect(fusion.decide(f, 'rural', { situation: 'city', confidence: 0.8 }).situation).toBe('highway');
    expect(fusion.decide(f, 'rural', { situation: 'highway', confidence: 0.8 }).situation).toBe('highway');
    // Unsure model: the rules decide.
    fusion.decide(f, 'rural', { situation: 'city', confidence: 0.3 });
    expect(fusion.decide(f, 'rural', undefined)).toEqual({ situation: 'rural', source: 'rules' });
  });

  it('parked is certain from the ignition or P, whatever the model says, at once', () => {
    const fusion = new SituationFusion();
    const moving = features({ speed_mean: 50, speed_last: 50 });
    fusion.decide(moving, 'city', { situation: 'city', confidence: 0.9 });
    fusion.decide(moving, 'city', { situation: 'city', confidence: 0.9 });
    expect(fusion.value.situation).toBe('city');
    expect(fusion.decide(features({ ignition_frac: 0.2 }), 'parked', { situation: 'city', confidence: 0.99 })).toEqual({ situation: 'parked', source: 'rules' });
  });
});
