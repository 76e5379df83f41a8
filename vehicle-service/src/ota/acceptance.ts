import type { Acceptance, ManifestFile } from '@auriga/ota/client';
import { OtaAgentErrors } from './errors.js';

/** What a handler gets to load a model: its directory and (for installed slots) the manifest's file list. */
export interface ModelSource {
  dir: string;
  /** Empty for the factory model shipped with the image (no manifest): the handler finds its files by name. */
  files: readonly ManifestFile[];
  name: string;
  version: string;
}

export interface AcceptanceResult {
  ok: boolean;
  /** Fraction of the golden set answered correctly, when measured. */
  accuracy?: number;
  /** The latency the budget is compared with (p95 over the golden set), ms. */
  latencyMs?: number;
  reason?: string;
}

export interface HealthResult {
  ok: boolean;
  latencyMs?: number;
  reason?: string;
}

/**
 * How the agent loads, tests and checks one kind of model. The agent never looks inside a model: a
 * handler per kind (voice contexts, ONNX models, later the speech model) does, and the agent only
 * decides from these answers.
 */
export interface ModelHandler<M = unknown> {
  readonly kind: string;
  /** The model can replace the running one without disturbing the driver (default install policy: anytime). */
  readonly hotSwap: boolean;
  load(source: ModelSource): Promise<M>;
  /** Runs the manifest's acceptance criteria on this car (golden set, accuracy threshold, latency budget). */
  acceptanceTest(model: M, acceptance: Acceptance, source: ModelSource): Promise<AcceptanceResult>;
  /** A quick check that the model still answers within budget (used during the post-switch health window). */
  healthCheck(model: M, acceptance: Acceptance): Promise<HealthResult>;
  dispose?(model: M): Promise<void> | void;
}

/** p95 of a list of latencies (ms); 0 for none. */
export function p95(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

/** Compares measured figures with the manifest's thresholds; the reason names every criterion missed. */
export function judge(acceptance: Acceptance, measured: { accuracy?: number; latencyMs?: number; memoryMb?: number }): AcceptanceResult {
  const misses: string[] = [];
  if (acceptance.minAccuracy !== undefined && (measured.accuracy ?? 0) < acceptance.minAccuracy) {
    misses.push(`accuracy ${fmt(measured.accuracy ?? 0)} < ${acceptance.minAccuracy}`);
  }
  if (acceptance.maxLatencyMs !== undefined && (measured.latencyMs ?? Infinity) > acceptance.maxLatencyMs) {
    misses.push(`latency p95 ${fmt(measured.latencyMs ?? Infinity)} ms > ${acceptance.maxLatencyMs} ms`);
  }
  if (acceptance.maxMemoryMb !== undefined && measured.memoryMb !== undefined && measured.memoryMb > acceptance.maxMemoryMb) {
    misses.push(`memory ${fmt(measured.memoryMb)} MB > ${acceptance.maxMemoryMb} MB`);
  }
  return { ok: misses.length === 0, accuracy: measured.accuracy, latencyMs: measured.latencyMs, reason: misses.length ? misses.join('; ') : undefined };
}

const fmt = (n: number) => (Number.isFinite(n) ? String(Math.round(n * 1000) / 1000) : String(n));

/**
 * Loads a model from a slot and runs its acceptance test. Any exception (a model that does not load or
 * crashes while answering) is a failed test with its message as the reason; the model is disposed on failure.
 */
export async function runAcceptance<M>(handler: ModelHandler<M>, source: ModelSource, acceptance: Acceptance): Promise<{ model: M; result: AcceptanceResult }> {
  let model: M;
  try {
    model = await handler.load(source);
  } catch (err) {
    throw OtaAgentErrors.acceptance(`the model does not load: ${(err as Error).message}`, { cause: err });
  }
  let result: AcceptanceResult;
  try {
    result = await handler.acceptanceTest(model, acceptance, source);
  } catch (err) {
    result = { ok: false, reason: `the model crashed during the test: ${(err as Error).message}` };
  }
  if (!result.ok) {
    await Promise.resolve(handler.dispose?.(model)).catch(() => undefined);
    throw OtaAgentErrors.acceptance(result.reason ?? 'rejected');
  }
  return { model, result };
}
