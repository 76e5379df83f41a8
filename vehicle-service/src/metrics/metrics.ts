import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ActuationResult } from '../actuation/actuation-service.js';

export interface MetricsSources {
  /** Plain counters kept by the ingest hot path; read at scrape time. */
  ingest(): { framesIngested: number; decodeErrors: number; unknownFrames: number };
  mqttConnected(): boolean;
  staleSignals(): number;
}

export interface ServiceMetrics {
  readonly registry: Registry;
  recordActuation(result: ActuationResult): void;
}

/**
 * Prometheus metrics of one service instance (its own registry, so tests can run several).
 * Hot-path counts are sampled at scrape time instead of incremented per frame.
 */
export function createServiceMetrics(sources: MetricsSources, opts: { defaultMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  new Counter({
    name: 'auriga_can_frames_ingested_total',
    help: 'CAN frames received from the broker and applied to the vehicle state',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.ingest().framesIngested);
    },
  });
  new Counter({
    name: 'auriga_can_decode_errors_total',
    help: 'CAN frames or frame batches that could not be decoded',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.ingest().decodeErrors);
    },
  });
  new Counter({
    name: 'auriga_can_unknown_frames_total',
    help: 'CAN frames with an id the DBC does not define (ignored)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.ingest().unknownFrames);
    },
  });
  new Gauge({
    name: 'auriga_mqtt_connected',
    help: '1 when connected to the MQTT broker',
    registers: [registry],
    collect() {
      this.set(sources.mqttConnected() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'auriga_vss_stale_signals',
    help: 'VSS signals whose value is not current',
    registers: [registry],
    collect() {
      this.set(sources.staleSignals());
    },
  });
  const outcomes = new Counter({
    name: 'auriga_actuations_total',
    help: 'Actuation requests by outcome',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  for (const status of ['confirmed', 'refused', 'failed', 'timeout']) outcomes.inc({ status }, 0);
  const latency = new Histogram({
    name: 'auriga_actuation_duration_seconds',
    help: 'Time from an actuation request to its outcome',
    labelNames: ['status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [registry],
  });

  return {
    registry,
    recordActuation(result) {
      outcomes.inc({ status: result.status });
      latency.observe({ status: result.status }, result.ms / 1000);
    },
  };
}
