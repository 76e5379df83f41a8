import type { ActionOutcome, AnswerLang, AnswerParams, AnswerSpec, FailureKind, Plan, PartFailure } from '../types.js';
import type { LanguagePack } from './common.js';
import { EN_US } from './en-US.js';
import { ZH_CN } from './zh-CN.js';

export { formatNumber, type LanguagePack } from './common.js';
export { EN_US, ZH_CN };

export const LANGUAGE_PACKS: Readonly<Record<AnswerLang, LanguagePack>> = { 'en-US': EN_US, 'zh-CN': ZH_CN };

/** The text of an answer in a language. */
export function renderAnswer(spec: AnswerSpec, lang: AnswerLang): string {
  return LANGUAGE_PACKS[lang].templates[spec.key](spec.params ?? {});
}

type ActionsPlan = Extract<Plan, { kind: 'actions' }>;

/** The answer for what the car did with a plan's requests: done, partly done, refused or failed (and why). */
export function outcomeAnswer(plan: ActionsPlan, outcomes: readonly ActionOutcome[]): AnswerSpec {
  const parts = plan.requests.map((r) => r.part);
  const base: AnswerParams = {
    op: plan.op,
    parts,
    ...(plan.value ? { value: plan.value } : {}),
    ...(plan.by ? { by: plan.by } : {}),
    ...(plan.name ? { name: plan.name } : {}),
  };
  const failures: PartFailure[] = [];
  outcomes.forEach((o, i) => {
    if (o.status !== 'confirmed') failures.push(partFailure(plan.requests[i]!.part, o));
  });
  if (failures.length === 0) return { key: 'done', params: base };
  const okCount = outcomes.length - failures.length;
  if (okCount > 0) return { key: 'partial', params: { ...base, count: okCount, total: outcomes.length, failures } };
  const first = failures[0]!;
  if (failures.every((f) => f.status === 'refused')) {
    return { key: 'refused', params: { ...base, ...(first.ruleId ? { ruleId: first.ruleId } : {}), ...(first.limitPercent !== undefined ? { limitPercent: first.limitPercent } : {}) } };
  }
  const failed = failures.find((f) => f.status !== 'refused') ?? first;
  return { key: 'failed', params: { ...base, failure: failed.failure ?? 'other' } };
}

function partFailure(part: PartFailure['part'], o: ActionOutcome): PartFailure {
  const status = o.status === 'confirmed' ? 'failed' : o.status;
  const limit = o.reason?.match(/at most (\d+(?:\.\d+)?)%/);
  return {
    part,
    status,
    ...(o.ruleId ? { ruleId: o.ruleId } : {}),
    ...(limit ? { limitPercent: Number(limit[1]) } : {}),
    ...(status !== 'refused' ? { failure: failureKind(o) } : {}),
    ...(o.reason ? { reason: o.reason } : {}),
  };
}

function failureKind(o: ActionOutcome): FailureKind {
  const reason = o.reason ?? '';
  if (o.status === 'timeout') return 'timeout';
  if (/not connected|lost the connection|unreachable/.test(reason)) return 'notConnected';
  if (/actuator fault/.test(reason)) return 'fault';
  if (/busy/.test(reason)) return 'busy';
  return 'other';
}
