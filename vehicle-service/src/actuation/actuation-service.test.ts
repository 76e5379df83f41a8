import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createDbcCodec, isAurigaError, loadDefaultVehicle, type CanFrame } from '@auriga/common';
import { FakeEcu } from '../test-support/fake-ecu.js';
import { MemoryStore } from '../test-support/memory-store.js';
import { ManualClock } from '../util/timers.js';
import { Ingest } from '../vehicle/ingest.js';
import { VehicleState } from '../vehicle/state.js';
import { ActuationService, type ActuationResult } from './actuation-service.js';

const TEMP = 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature';
const WINDOW = 'Vehicle.Cabin.Door.Row1.DriverSide.Window.Position';
const TRUNK = 'Vehicle.Body.Trunk.Rear.IsOpen';
const WIPER = 'Vehicle.Body.Windshield.Front.Wiping.Mode';

/** Lets promise chains run (the fake bus answers synchronously, timers are manual). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(opts: { speed?: number | null; autoReply?: boolean } = {}) {
  const { dbc, catalog, mapping } = loadDefaultVehicle();
  const codec = createDbcCodec(dbc);
  const clock = new ManualClock();
  const state = new VehicleState(catalog.signals);
  const ingest = new Ingest({ codec, mapping, state, staleFactor: 3, now: clock.now });
  const store = new MemoryStore();
  const ecu = new FakeEcu(codec, mapping, (frames) => frames.forEach((f) => ingest.applyFrame(f)));
  const sent: CanFrame[] = [];
  const held: CanFrame[][] = [];
  const sender = {
    connected: true,
    async sendFrames(frames: readonly CanFrame[]) {
      sent.push(...frames);
      if (opts.autoReply === false) held.push([...frames]);
      else ecu.handle(frames);
    },
  };
  const outcomes: ActuationResult[] = [];
  const service = new ActuationService({
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
    travelTimeMs: { 'Vehicle.Cabin.Door.*.*.Window.Position': 4000 },
    clock,
    logger: pino({ level: 'silent' }),
    onOutcome: (r) => outcomes.push(r),
  });
  // The car as it is before each test: status messages fresh, speed as asked.
  const feedStatus = () => {
    if (opts.speed !== null) ingest.applyFrame(codec.encodeFrame('ESP_Status', { ESP_VehicleSpeed: opts.speed ?? 0 }));
    ingest.applyFrame(ecu.statusFrameFor(TEMP, 20));
    ingest.applyFrame(ecu.statusFrameFor(WINDOW, 0));
    ingest.applyFrame(ecu.statusFrameFor(TRUNK, false));
    ingest.applyFrame(ecu.statusFrameFor(WIPER, 'OFF'));
  };
  feedStatus();
  const releaseHeld = () => {
    for (const frames of held.splice(0)) ecu.handle(frames);
  };
  return { codec, clock, state, ingest, store, ecu, sender, sent, service, outcomes, releaseHeld, feedStatus };
}

describe('ActuationService', () => {
  it('sends the request, waits for the ack and the status, and records the outcome', async () => {
    const t = setup();
    const result = await t.service.request(TEMP, 22.5, { source: 'test' });
    expect(result).toMatchObject({ path: TEMP, value: 22.5, status: 'confirmed' });
    expect(result.reason).toBeUndefined();
    expect(t.state.get(TEMP)?.value).toBe(22.5);

    // One frame: HU_HVAC_Request with the driver temperature, every other request at "no request".
    expect(t.sent).toHaveLength(1);
    const decoded = t.codec.decodeFrame(t.sent[0]!)!;
    expect(decoded.message.name).toBe('HU_HVAC_Request');
    expect(decoded.signals.HVACReq_TempDriver).toBe(22.5);
    expect(decoded.signals.HVACReq_TempPassenger).toBe(127.5); // raw 255 x 0.5 = NoRequest
    expect(decoded.signals.HVACReq_AC).toBe(3);
    expect(decoded.signals.HVACReq_Counter).toBe(0);

    await settle();
    expect(t.store.actuationLog).toEqual([
      expect.objectContaining({ id: result.id, path: TEMP, value: 22.5, source: 'test', status: 'confirmed' }),
    ]);
    expect(t.outcomes.map((o) => o.status)).toEqual(['confirmed']);
  });

  it('confirms within half a scaling step of the target', async () => {
    const t = setup();
    // 22.3 is sent as raw 45 (22.5, factor 0.5): the status 22.5 is within 0.25 of 22.3.
    expect((await t.service.request(TEMP, 22.3, { source: 'test' })).status).toBe('confirmed');
  });

  it('confirms at once without sending when the value is already the target', async () => {
    const t = setup();
    const result = await t.service.request(TEMP, 20, { source: 'test' });
    expect(result.status).toBe('confirmed');
    expect(t.sent).toHaveLength(0);
    await settle();
    expect(t.store.actuationLog).toHaveLength(1);
  });

  it('refuses opening a window fully at 100 km/h, before anything is sent', async () => {
    const t = setup({ speed: 100 });
    const result = await t.service.request(WINDOW, 100, { source: 'test' });
    expect(result).toMatchObject({ status: 'refused', ruleId: 'window-opening-limited-at-highway-speed' });
    expect(result.reason).toMatch(/at most 20%/);
    expect(t.sent).toHaveLength(0);
    await settle();
    expect(t.store.actuationLog[0]).toMatchObject({ status: 'refused', reason: result.reason });
  });

  it('treats an unknown speed as moving', async () => {
    const t = setup({ speed: null });
    expect(await t.service.request(TRUNK, true, { source: 'test' })).toMatchObject({ status: 'refused', ruleId: 'no-opening-above-walking-speed' });
  });

  it('opens the trunk when stopped', async () => {
    const t = setup({ speed: 0 });
    expect((await t.service.request(TRUNK, true, { source: 'test' })).status).toBe('confirmed');
    expect(t.codec.decodeFrame(t.sent[0]!)!.signals.BodyReq_TrunkOpen).toBe(1);
  });

  it('reports an ECU rejection as refused or failed with the reason', async () => {
    const t = setup();
    t.ecu.behaviour = { kind: 'reject', result: 1 };
    const refused = await t.service.request(TEMP, 25, { source: 'test' });
    expect(refused.status).toBe('refused');
    expect(refused.reason).toMatch(/HVAC ECU rejected the request/);
    t.ecu.behaviour = { kind: 'reject', result: 3 };
    const failed = await t.service.request(TEMP, 25, { source: 'test' });
    expect(failed).toMatchObject({ status: 'failed', reason: expect.stringContaining('fault') });
    expect(t.state.get(TEMP)?.value).toBe(20);
  });

  it('times out when the ECU does not acknowledge', async () => {
    const t = setup();
    t.ecu.behaviour = { kind: 'silent' };
    const pending = t.service.request(TEMP, 25, { source: 'test' });
    await settle();
    t.clock.advance(499);
    await settle();
    let done = false;
    void pending.then(() => (done = true));
    await settle();
    expect(done).toBe(false);
    t.clock.advance(1);
    const result = await pending;
    expect(result).toMatchObject({ status: 'timeout', reason: expect.stringMatching(/no acknowledgement from the HVAC ECU within 500 ms/) });
  });

  it('times out when the status does not reach the target, allowing travel time for windows', async () => {
    const t = setup();
    t.ecu.behaviour = { kind: 'stuck' };
    let result: ActuationResult | undefined;
    void t.service.request(WINDOW, 50, { source: 'test' }).then((r) => (result = r));
    await settle();
    t.clock.advance(1000 + 4000 - 1);
    await settle();
    expect(result).toBeUndefined();
    // The window moves part of the way: still not there.
    t.ingest.applyFrame(t.ecu.statusFrameFor(WINDOW, 30));
    t.clock.advance(1);
    await settle();
    expect(result).toMatchObject({ status: 'timeout', reason: expect.stringContaining('did not reach 50 within 5000 ms (now 30)') });
  });

  it('confirms a moving actuator when the status arrives later', async () => {
    const t = setup();
    t.ecu.behaviour = { kind: 'stuck' };
    let result: ActuationResult | undefined;
    void t.service.request(WINDOW, 40, { source: 'test' }).then((r) => (result = r));
    await settle();
    t.clock.advance(2500);
    t.ingest.applyFrame(t.ecu.statusFrameFor(WINDOW, 20));
    await settle();
    expect(result).toBeUndefined();
    t.ingest.applyFrame(t.ecu.statusFrameFor(WINDOW, 40));
    await settle();
    expect(result).toMatchObject({ status: 'confirmed', ms: 2500 });
  });

  it('refuses while the owning ECU status is stale', async () => {
    const t = setup();
    t.clock.advance(601); // HVAC_Status: 200 ms cycle x 3
    t.ingest.checkStaleness();
    const result = await t.service.request(TEMP, 25, { source: 'test' });
    expect(result).toMatchObject({ status: 'refused', ruleId: 'ecu-status-stale', reason: expect.stringContaining('HVAC') });
    expect(t.sent).toHaveLength(0);
  });

  it('fails without sending when the bus is unreachable', async () => {
    const t = setup();
    t.sender.connected = false;
    expect(await t.service.request(TEMP, 25, { source: 'test' })).toMatchObject({ status: 'failed', reason: expect.stringContaining('MQTT') });
    expect(t.sent).toHaveLength(0);
  });

  it('throws coded errors for requests that never reach the car', async () => {
    const t = setup();
    const code = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (isAurigaError(e) ? `${e.code} ${e.statusCode}` : String(e)));
    expect(await code(t.service.request('Vehicle.Nope', 1, { source: 'test' }))).toBe('AURIGA_ERR_SIGNAL_UNKNOWN 404');
    expect(await code(t.service.request('Vehicle.Speed', 10, { source: 'test' }))).toBe('AURIGA_ERR_SIGNAL_NOT_ACTUATOR 405');
    expect(await code(t.service.request(TEMP, 45, { source: 'test' }))).toBe('AURIGA_ERR_SIGNAL_INVALID_VALUE 400');
    expect(await code(t.service.request(TEMP, 'warm', { source: 'test' }))).toBe('AURIGA_ERR_SIGNAL_INVALID_VALUE 400');
    expect(await code(t.service.request(WIPER, 'TURBO', { source: 'test' }))).toBe('AURIGA_ERR_SIGNAL_INVALID_VALUE 400');
    expect(t.sent).toHaveLength(0);
  });

  it('serializes requests on one signal and answers each of them', async () => {
    const t = setup({ autoReply: false });
    const first = t.service.request(TEMP, 21, { source: 'a' });
    const second = t.service.request(TEMP, 22, { source: 'b' });
    await settle();
    // Only the first is on the bus until it is answered.
    expect(t.sent).toHaveLength(1);
    t.releaseHeld();
    expect((await first).status).toBe('confirmed');
    await settle();
    expect(t.sent).toHaveLength(2);
    t.releaseHeld();
    expect(await second).toMatchObject({ status: 'confirmed', value: 22 });
    expect(t.ecu.requests.map((r) => r.value)).toEqual([21, 22]);
    expect(t.state.get(TEMP)?.value).toBe(22);
  });

  it('runs requests on different signals concurrently with distinct counters', async () => {
    const t = setup({ autoReply: false });
    const a = t.service.request(TEMP, 21, { source: 'a' });
    const b = t.service.request('Vehicle.Cabin.HVAC.Station.Row1.Passenger.Temperature', 24, { source: 'b' });
    await settle();
    expect(t.sent).toHaveLength(2);
    const counters = t.sent.map((f) => t.codec.decodeFrame(f)!.signals.HVACReq_Counter);
    expect(counters).toEqual([0, 1]);
    t.releaseHeld();
    expect((await a).status).toBe('confirmed');
    expect((await b).status).toBe('confirmed');
  });

  it('rolls the 4-bit counter over after 15', async () => {
    const t = setup();
    for (let i = 0; i < 17; i++) await t.service.request(TEMP, i % 2 === 0 ? 21 : 22, { source: 'test' });
    const counters = t.sent.map((f) => t.codec.decodeFrame(f)!.signals.HVACReq_Counter);
    expect(counters.slice(14)).toEqual([14, 15, 0]);
  });

  it('finishes in-flight requests on close, then refuses new ones', async () => {
    const t = setup({ autoReply: false });
    const inFlight = t.service.request(TEMP, 23, { source: 'test' });
    await settle();
    const closed = t.service.close();
    t.releaseHeld();
    expect((await inFlight).status).toBe('confirmed');
    await closed;
    await expect(t.service.request(TEMP, 24, { source: 'test' })).rejects.toMatchObject({ code: 'AURIGA_ERR_SERVICE_CLOSING' });
  });
});
