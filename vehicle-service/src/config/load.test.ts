import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAurigaError } from '@auriga/common';
import { loadConfig } from './load.js';
import { DEFAULT_CONFIG } from './schema.js';

function configError(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isAurigaError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('uses the documented defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c).toEqual(DEFAULT_CONFIG);
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.mqtt.url).toBeUndefined();
    expect(c.mqtt.embeddedPort).toBe(1883);
    expect(c.mqtt.topicRoot).toBe('auriga/v1');
    expect(c.policy).toEqual({ walkingSpeedKmh: 5, highwaySpeedKmh: 100, highwayMaxOpeningPercent: 20 });
    expect(c.staleFactor).toBe(3);
    expect(c.history.sampleIntervalMs).toBe(1000);
  });

  it('reads and converts environment variables', () => {
    const c = loadConfig({
      PORT: '9090',
      HOST: '0.0.0.0',
      MQTT_URL: 'mqtt://10.0.0.2:1883',
      MQTT_TOPIC_ROOT: 'fleet/car7/v1',
      CAN_BUS: 'vcan0',
      LOG_LEVEL: 'debug',
      POLICY_WALKING_SPEED_KMH: '3.5',
      STALE_FACTOR: '4',
      ACTUATION_CONFIRM_TIMEOUT_MS: '5000',
      EMBEDDED_MQTT_PORT: '',
    });
    expect(c.http).toEqual({ host: '0.0.0.0', port: 9090 });
    expect(c.mqtt.url).toBe('mqtt://10.0.0.2:1883');
    expect(c.mqtt.topicRoot).toBe('fleet/car7/v1');
    expect(c.mqtt.embeddedPort).toBe(1883); // empty = unset
    expect(c.can.bus).toBe('vcan0');
    expect(c.logLevel).toBe('debug');
    expect(c.policy.walkingSpeedKmh).toBe(3.5);
    expect(c.staleFactor).toBe(4);
    expect(c.actuation.confirmTimeoutMs).toBe(5000);
  });

  it('names the environment variable at fault, and reports every problem', () => {
    const e = configError(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'verbose', STALE_FACTOR: '0.5' }));
    expect(e.code).toBe('AURIGA_ERR_CONFIG_INVALID');
    expect(e.message).toMatch(/environment variable PORT: .*integer.*"eighty"/);
    expect(e.message).toMatch(/environment variable LOG_LEVEL: must be one of .*debug.*"verbose"/);
    expect(e.message).toMatch(/environment variable STALE_FACTOR: .*greater or equal to 1/);
  });

  it('reads the speech rejection settings and refuses unknown ones', () => {
    expect(loadConfig({ SPEECH_REJECT_MARGIN: '0.2', SPEECH_REJECT_REFERENCE: 'phones' }).speech).toEqual({ rejectMargin: 0.2, rejectReference: 'phones' });
    const e = configError(() => loadConfig({ SPEECH_REJECT_REFERENCE: 'syllables', SPEECH_REJECT_MARGIN: '9' }));
    expect(e.message).toMatch(/SPEECH_REJECT_REFERENCE/);
    expect(e.message).toMatch(/SPEECH_REJECT_MARGIN: .*5/);
  });

  it('rejects half-numbers instead of truncating them', () => {
    expect(configError(() => loadConfig({ PORT: '80abc' })).message).toContain('PORT');
    expect(configError(() => loadConfig({ PORT: '70000' })).message).toMatch(/PORT: .*65535/);
  });

  it('explains bad topic roots and broker URLs in plain words', () => {
    expect(configError(() => loadConfig({ MQTT_TOPIC_ROOT: 'auriga/#' })).message).toMatch(/MQTT_TOPIC_ROOT: must be a topic prefix/);
    expect(configError(() => loadConfig({ MQTT_TOPIC_ROOT: 'auriga/' })).message).toContain('MQTT_TOPIC_ROOT');
    expect(configError(() => loadConfig({ MQTT_URL: 'localhost:1883' })).message).toMatch(/MQTT_URL: must be a broker URL/);
  });

  it('reads a YAML file, resolves its relative paths, and lets the environment win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auriga-config-'));
    const file = join(dir, 'service.yaml');
    writeFileSync(file, 'http:\n  port: 8181\ndataDir: data\npolicy:\n  highwaySpeedKmh: 90\nactuation:\n  travelTimeMs:\n    Vehicle.Cabin.Sunroof.Position: 1234\n');
    const c = loadConfig({ AURIGA_CONFIG: file, PORT: '8282' });
    expect(c.http.port).toBe(8282);
    expect(c.dataDir).toBe(join(dir, 'data'));
    expect(c.policy.highwaySpeedKmh).toBe(90);
    expect(c.policy.walkingSpeedKmh).toBe(5);
    // A record from the file replaces the default patterns.
    expect(c.actuation.travelTimeMs).toEqual({ 'Vehicle.Cabin.Sunroof.Position': 1234 });
  });

  it('reads a JSON file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auriga-config-'));
    const file = join(dir, 'service.json');
    writeFileSync(file, JSON.stringify({ mqtt: { topicRoot: 'x/v2' } }));
    expect(loadConfig({ AURIGA_CONFIG: file }).mqtt.topicRoot).toBe('x/v2');
  });

  it('names the file and field for unknown or invalid settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auriga-config-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'http:\n  prot: 1\npolicy:\n  walkingSpeedKmh: fast\n');
    const e = configError(() => loadConfig({ AURIGA_CONFIG: file }));
    expect(e.message).toContain(`config file ${file}, field http.prot: unknown setting`);
    expect(e.message).toContain(`config file ${file}, field policy.walkingSpeedKmh: Expected number`);
  });

  it('fails clearly for a missing or unparsable file', () => {
    expect(configError(() => loadConfig({ AURIGA_CONFIG: '/nonexistent/auriga.yaml' }))).toMatchObject({
      code: 'AURIGA_ERR_CONFIG_FILE',
      message: expect.stringContaining('/nonexistent/auriga.yaml'),
    });
    const dir = mkdtempSync(join(tmpdir(), 'auriga-config-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"http": ');
    expect(configError(() => loadConfig({ AURIGA_CONFIG: file })).message).toMatch(/not valid JSON/);
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- 1\n- 2\n');
    expect(configError(() => loadConfig({ AURIGA_CONFIG: list })).message).toMatch(/top level must be an object/);
  });

  it('applies programmatic overrides last and checks them too', () => {
    expect(loadConfig({ PORT: '9000' }, { http: { port: 0 } }).http.port).toBe(0);
    expect(configError(() => loadConfig({}, { staleFactor: -1 })).message).toMatch(/option staleFactor/);
  });

  it('checks that the reconnect backoff bounds are ordered', () => {
    expect(configError(() => loadConfig({}, { mqtt: { reconnectMinMs: 5000, reconnectMaxMs: 100 } })).message).toMatch(/reconnectMaxMs/);
  });
});
