/**
 * TESTS AND BENCHES: the vehicle-side pieces wired together without MQTT: state, ingest, the
 * actuation service with a fake ECU on a fake bus, an in-memory store.
 */
import { pino, type Logger } from 'pino';
import { createDbcCodec, loadDefaultVehicle, type CanFrame } from '@auriga/common';
import { ActuationService, type ActuationResult } from '../actuation/actuation-service.js';
import { systemClock, type Clock } from '../util/timers.js';
import { Ingest } from '../vehicle/ingest.js';
import { VehicleState } from '../vehicle/state.js';
import { FakeEcu } from './fake-ecu.js';
import { MemoryStore } from './memory-store.js';

export function createHarness(opts: { clock?: Clock; logger?: Logger; speed?: number; onOutcome?: (r: ActuationResult) => void } = {}) {
  const { dbc, catalog, mapping } = loadDefaultVehicle();
  const codec = createDbcCodec(dbc);
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? pino({ level: 'silent' });
  const state = new VehicleState(catalog.signals);
  for (const e of mapping.entries) if (e.value !== undefined) state.setConstant(e.path, e.value, clock.now());
  const ingest = new Ingest({ codec, mapping, state, staleFactor: 3, now: clock.now });
  const store = new MemoryStore();
  const ecu = new FakeEcu(codec, mapping, (frames) => frames.forEach((f) => ingest.applyFrame(f)));
  const sent: CanFrame[] = [];
  const sender = {
    connected: true,
    async sendFrames(frames: readonly CanFrame[]) {
      sent.push(...frames);
      ecu.handle(frames);
    },
  };
  const actuation = new ActuationService({
    catalog,
    mapping,
    codec,
    state,
    ingest,
    sender,
    store,
    policy: { walkingSpeedKmh: 5, highwaySpeedKmh: 100, highwayMaxOpeningPercent: 20 },
    ackTimeoutMs: 500,
    confirmTimeoutMs: 1000,
    clock,
    logger,
    ...(opts.onOutcome ? { onOutcome: opts.onOutcome } : {}),
  });
  /** Every status message once, as a car at `speed` would send them. */
  const feedStatus = (speed = opts.speed ?? 0) => {
    ingest.applyFrame(codec.encodeFrame('ESP_Status', { ESP_VehicleSpeed: speed }));
    for (const m of dbc.messages) if (m.sender !== 'HU' && m.name !== 'ESP_Status' && m.cycleTimeMs) ingest.applyFrame(codec.encodeFrame(m.name, {}));
  };
  return { dbc, codec, catalog, mapping, clock, logger, state, ingest, store, ecu, sender, sent, actuation, feedStatus };
}
