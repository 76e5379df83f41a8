import type { Situation } from '../types.js';
import { FEATURE_INDEX as F } from './features.js';

export type SituationSource = 'rules' | 'model';

export interface FusedSituation {
  situation: Situation;
  source: SituationSource;
  /** Model confidence (softmax) when the model decided. */
  confidence?: number;
}

/**
 * Model for the situation, rules where they are certain: the ignition off or the selector in P while
 * standing is "parked" whatever the model says, and without a fresh, confident model output the rules
 * decide. A new situation must be seen `confirm` times in a row before it replaces the current one,
 * so one odd window does not flip the display.
 */
export class SituationFusion {
  private current: FusedSituation = { situation: 'parked', source: 'rules' };
  private candidate: Situation | undefined;
  private seen = 0;

  constructor(
    private readonly minConfidence = 0.5,
    private readonly confirm = 2,
  ) {}

  get value(): FusedSituation {
    return this.current;
  }

  decide(features: Float32Array | undefined, rules: Situation, model: { situation: Situation; confidence: number } | undefined): FusedSituation {
    let next: FusedSituation;
    const certainParked = features !== undefined && (features[F.ignition_frac]! < 0.5 || (features[F.park_frac]! > 0.5 && features[F.speed_last]! < 2));
    if (certainParked) next = { situation: 'parked', source: 'rules' };
    else if (model && model.confidence >= this.minConfidence) next = { situation: model.situation, source: 'model', confidence: model.confidence };
    else next = { situation: rules, source: 'rules' };
    if (next.situation === this.current.situation) {
      this.current = next;
      this.candidate = undefined;
      this.seen = 0;
      return this.current;
    }
    if (next.situation === this.candidate) this.seen++;
    else {
      this.candidate = next.situation;
      this.seen = 1;
    }
    if (this.seen >= this.confirm || certainParked) {
      this.current = next;
      this.candidate = undefined;
      this.seen = 0;
    }
    return this.current;
  }
}
