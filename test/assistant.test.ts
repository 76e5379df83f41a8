/**
 * The assistant against the real stack: the vehicle service and the simulated car (@auriga/can-sim)
 * on the machine's Mosquitto (127.0.0.1:1883, own topic root), POST /v1/text over HTTP on the service's
 * own routes.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type CarSimulator } from '@auriga/can-sim';
import { loadConfig, startVehicleService, type Assistant, type VehicleServiceHandle } from '@auriga/vehicle-service';
import { waitFor } from '@auriga/common/testing';

const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const DRIVER_TEMP = 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature';
const TRUNK = 'Vehicle.Body.Trunk.Rear.IsOpen';
const silent = pino({ level: 'silent' });

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(): Promise<{ service: VehicleServiceHandle; sim: CarSimulator; url: string; assistant: Assistant }> {
  const topicRoot = `auriga-test/${randomUUID()}/v1`;
  const dataDir = mkdtempSync(join(tmpdir(), 'auriga-assistant-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig({}, { http: { port: 0 }, dataDir, mqtt: { url: MOSQUITTO, topicRoot, reconnectMinMs: 50, reconnectMaxMs: 250 } });
  const service = await startVehicleService({ ...config, assistant: { ...config.assistant, tts: false } }, { logger: silent, defaultMetrics: false });
  cleanups.push(() => service.close());
  const sim = await startSimulator({ mqttUrl: MOSQUITTO, topicRoot, scenario: 'parked', timeScale: 50, seed: 11, logger: silent });
  cleanups.push(() => sim.stop());

  // The service's own assistant and routes (ASSISTANT_TTS off: the text answers are what is tested).
  const { assistant, url } = service;

  await waitFor('fresh speed, HVAC and trunk', () => ['Vehicle.Speed', DRIVER_TEMP, TRUNK].every((p) => service.state.get(p)?.stale === false));
  return { service, sim, url, assistant };
}

async function text(url: string, body: Record<string, unknown>) {
  const res = await fetch(`${url}/v1/text`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('assistant over the real stack (can-sim on Mosquitto)', () => {
  it('"set the temperature to 22 degrees" is confirmed by the car, the sim set point moves, and the turn is stored', async () => {
    const { url, sim, service, assistant } = await setup();
    const start = service.state.get(DRIVER_TEMP)!.value as number;
    const target = start === 22 ? 23 : 22;
    const words = target === 22 ? 'twenty two' : 'twenty three';
    const r = await text(url, { text: `set the temperature to ${words} degrees`, lang: 'en-US' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      isUnderstood: true,
      intent: 'setTemperature',
      slots: { temperature: words },
      actions: [{ path: DRIVER_TEMP, value: target, status: 'confirmed' }],
      answer: { text: `I set the driver's temperature to ${target} °C.`, lang: 'en-US' },
    });
    expect(sim.state.hvac.driver.setpointC).toBe(target);
    expect(service.state.get(DRIVER_TEMP)!.value).toBe(target);

    await assistant.flush();
    const turns = await fetch(`${url}/v1/assistant/turns?limit=5`).then((res) => res.json() as Promise<Array<Record<string, any>>>);
    expect(turns[0]).toMatchObject({
      input: `set the temperature to ${words} degrees`,
      intent: 'setTemperature',
      actions: [{ path: DRIVER_TEMP, value: target, status: 'confirmed' }],
      answer: `I set the driver's temperature to ${target} °C.`,
      source: 'text',
    });
    expect(turns[0]!.timings.totalMs).toBeGreaterThan(0);
    // The actuation log has the request too, with the assistant as its source.
    expect((await service.store.actuations({ limit: 1 }))[0]).toMatchObject({ path: DRIVER_TEMP, source: 'assistant', status: 'confirmed' });
  });

  it('refuses to open the trunk at speed and says why in plain words (en-US and zh-CN)', async () => {
    const { url, sim, service } = await setup();
    sim.set({ speedKmh: 50 });
    await waitFor('50 km/h', () => Math.abs((service.state.get('Vehicle.Speed')!.value as number) - 50) < 1);
    const r = await text(url, { text: 'open the trunk', lang: 'en-US' });
    expect(r.body).toMatchObject({
      intent: 'openTrunk',
      actions: [{ path: TRUNK, value: true, status: 'refused', ruleId: 'no-opening-above-walking-speed' }],
      answer: { text: "I can't open the trunk while driving.", lang: 'en-US' },
    });
    expect(sim.state.body.trunkOpen).toBe(false);
    const zh = await text(url, { text: 'open the trunk', lang: 'zh-CN' });
    expect(zh.body.answer).toMatchObject({ text: '行驶中无法打开后备箱。', lang: 'zh-CN' });
  });

  it('answers 400 with a coded error for a malformed body', async () => {
    const { url } = await setup();
    const r = await text(url, { text: '', lang: 'en-US' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ statusCode: 400, code: 'AURIGA_ERR_API_VALIDATION' });
    expect((await text(url, { text: 'hello', lang: 'fr-FR' })).status).toBe(400);
  });
});
