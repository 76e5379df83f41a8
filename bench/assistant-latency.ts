/**
 * Assistant latency on loopback: HTTP POST /v1/text "set the temperature to twenty one degrees" ->
 * intent (text matcher on the car context) -> plan against the live state -> actuation request over
 * MQTT -> ECU ack + status frame -> confirmed -> answer text -> HTTP answer.
 *
 * The vehicle service runs in this process (embedded broker, or Mosquitto with --mosquitto) with
 * `assistantRoutes` served by a fastify app on 127.0.0.1, wired as the service will wire it. The car
 * is the in-bench ECU echo (@auriga/vehicle-service/testing startMqttEcu: answers at once, status
 * every 20 ms), so actuator travel time is excluded, as the target says.
 *
 * BASELINE in the same run, interleaved: the bare actuation request without the assistant, HTTP PUT
 * /v1/signals/{path} on the service's own API (same loopback, same broker, same ECU echo), on the
 * passenger set point so the two never undo each other's work. Overhead = assistant - baseline.
 *
 *   node --import tsx bench/assistant-latency.ts [--quick] [--mosquitto]
 *
 * --quick: 100 requests instead of 500. Prints one JSON object; pass = assistant p95 < 30 ms and
 * every request confirmed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { pino } from 'pino';
import { Assistant, assistantRoutes, compileContextFile, loadConfig, startVehicleService, systemClock } from '@auriga/vehicle-service';
import { startMqttEcu } from '@auriga/vehicle-service/testing';
import { latencyStats } from './support/stats.js';

export const TARGET_P95_MS = 30;
const DRIVER_TEMP = 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature';
const PASSENGER_TEMP = 'Vehicle.Cabin.HVAC.Station.Row1.Passenger.Temperature';
const COMMANDS: Array<[string, number]> = [
  ['set the temperature to twenty one degrees', 21],
  ['set the temperature to twenty one and a half degrees', 21.5],
];

function post(agent: Agent, url: URL, method: 'POST' | 'PUT', body: string): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text) as Record<string, any>);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const useMosquitto = process.argv.includes('--mosquitto');
  const n = quick ? 100 : 500;
  const warmup = quick ? 20 : 50;
  const logger = pino({ level: 'silent' });
  const dataDir = mkdtempSync(join(tmpdir(), 'auriga-bench-assistant-'));
  const topicRoot = `auriga-bench/${randomUUID()}/v1`;
  const config = loadConfig(
    {},
    { http: { port: 0 }, dataDir, mqtt: { embeddedPort: 0, topicRoot, ...(useMosquitto ? { url: 'mqtt://127.0.0.1:1883' } : {}) } },
  );
  const service = await startVehicleService(config, { logger, defaultMetrics: false });
  const ecu = await startMqttEcu({ url: service.mqttUrl, topicRoot, periodMs: 20 });
  const context = await compileContextFile(fileURLToPath(new URL('../models/contexts/en-US/car.yaml', import.meta.url)));
  const assistant = new Assistant({
    context,
    state: service.state,
    catalog: service.vehicle.catalog,
    actuation: service.actuation,
    policy: service.config.policy,
    store: service.store,
    clock: systemClock,
    logger,
  });
  const app = Fastify({ logger: false });
  await app.register(assistantRoutes, { assistant, store: service.store });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const assistantUrl = new URL(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1/text`);
  const baselineUrl = new URL(`${service.url}/v1/signals/${PASSENGER_TEMP}`);
  try {
    const deadline = Date.now() + 10_000;
    while (service.state.get(DRIVER_TEMP)?.stale !== false || service.state.get(PASSENGER_TEMP)?.stale !== false) {
      if (Date.now() > deadline) throw new Error('the service never saw the HVAC status');
      await new Promise((r) => setTimeout(r, 20));
    }

    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    const statuses: Record<string, number> = {};
    const baselineStatuses: Record<string, number> = {};
    const assistantMs: number[] = [];
    const baselineMs: number[] = [];
    const inside: Record<'understandMs' | 'planMs' | 'actMs' | 'answerMs' | 'totalMs', number[]> = { understandMs: [], planMs: [], actMs: [], answerMs: [], totalMs: [] };
    let wrongAnswers = 0;
    for (let i = 0; i < warmup + n; i++) {
      // Each request changes the set point, so every one needs the car (no "already there" shortcut).
      const [text, value] = COMMANDS[i % 2]!;
      const t0 = performance.now();
      const r = await post(agent, assistantUrl, 'POST', JSON.stringify({ text, lang: 'en-US' }));
      const ms = performance.now() - t0;
      const b0 = performance.now();
      const base = await post(agent, baselineUrl, 'PUT', JSON.stringify({ value: i % 2 === 0 ? 21 : 21.5 }));
      const baseMs = performance.now() - b0;
      if (i < warmup) continue;
      const status = (r.actions?.[0]?.status as string | undefined) ?? 'none';
      statuses[status] = (statuses[status] ?? 0) + 1;
      baselineStatuses[base.status as string] = (baselineStatuses[base.status as string] ?? 0) + 1;
      if (r.answer?.text !== `I set the driver's temperature to ${value} °C.`) wrongAnswers++;
      assistantMs.push(ms);
      baselineMs.push(baseMs);
      for (const k of Object.keys(inside) as Array<keyof typeof inside>) inside[k].push(r.timings[k] as number);
    }
    agent.destroy();

    const a = latencyStats(assistantMs);
    const b = latencyStats(baselineMs);
    const result = {
      bench: 'assistant-latency',
      quick,
      broker: useMosquitto ? 'mosquitto' : 'embedded',
      commands: COMMANDS.map(([t]) => t),
      car: 'in-bench ECU echo (answers at once), status frames every 20 ms: actuator travel time excluded',
      requests: n,
      statuses,
      wrongAnswers,
      assistantHttpMs: a,
      // The assistant's own breakdown (from the response's timings).
      insideAssistantMs: Object.fromEntries(Object.entries(inside).map(([k, v]) => [k, latencyStats(v)])),
      baselineBareActuationHttpMs: b,
      baselineStatuses,
      overheadMs: { p50: Math.round((a.p50 - b.p50) * 1000) / 1000, p95: Math.round((a.p95 - b.p95) * 1000) / 1000 },
      target: { p95Ms: TARGET_P95_MS },
      pass: a.p95 < TARGET_P95_MS && (statuses.confirmed ?? 0) === n && wrongAnswers === 0,
      node: process.version,
      cpus: cpus().length,
      loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await app.close();
    await assistant.close();
    await ecu.close();
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`assistant-latency: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
