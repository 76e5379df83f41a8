import { startTcpProxy } from '@auriga/common/testing';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { createTopics, decodeFrameBatch, encodeFrameBatch, type CanFrame, type Topics } from '@auriga/common';
import { CanBridge, type BridgeStatus } from './bridge.js';
import { createTxPolicy } from './tx-policy.js';
import { StreamTxWriter } from './tx-writer.js';

// Real Mosquitto on this machine; every test uses its own topic root.
const BROKER = 'mqtt://127.0.0.1:1883';
const BIN = fileURLToPath(new URL('../../bin/auriga-sim.js', import.meta.url));
const CLI_TS = fileURLToPath(new URL('../cli.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const silent = pino({ level: 'silent' });

const cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Observer {
  client: MqttClient;
  topics: Topics;
  frames: CanFrame[];
  batches: number;
  statuses: Array<Partial<BridgeStatus>>;
}

async function observe(iface: string): Promise<Observer> {
  const topics = createTopics(`auriga-test/${randomUUID()}/v1`);
  const client = await connectAsync(BROKER);
  const obs: Observer = { client, topics, frames: [], batches: 0, statuses: [] };
  client.on('message', (topic, payload) => {
    if (topic === topics.bridgeStatus(iface)) {
      if (payload.length > 0) obs.statuses.push(JSON.parse(payload.toString()) as Partial<BridgeStatus>);
      return;
    }
    obs.batches++;
    obs.frames.push(...decodeFrameBatch(payload, topics.busOf(topic)));
  });
  await client.subscribeAsync([topics.allFrames, topics.bridgeStatus(iface)], { qos: 1 });
  cleanup.push(async () => {
    // Leave no retained status behind on the shared broker.
    await client.publishAsync(topics.bridgeStatus(iface), '', { qos: 1, retain: true });
    await client.endAsync();
  });
  return obs;
}

const lines = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `(${(1700000000 + (from + i) / 1000).toFixed(6)}) can0 ${(0x100 + ((from + i) % 0x100)).toString(16).toUpperCase()}#${((from + i) & 0xff).toString(16).padStart(2, '0').toUpperCase()}0102\n`).join('');

describe('CanBridge against Mosquitto', () => {
  it('publishes candump lines as frame batches, skips bad lines, writes allowed tx frames, refuses the rest', async () => {
    const obs = await observe('can0');
    const input = new PassThrough();
    const txOut = new PassThrough();
    let txText = '';
    txOut.on('data', (d: Buffer) => (txText += d.toString()));
    const bridge = new CanBridge({
      mqttUrl: BROKER, topics: obs.topics, iface: 'can0', input, logger: silent,
      txPolicy: createTxPolicy({ allow: '3E1,18DAF110' }), txWriter: new StreamTxWriter(txOut, () => 1700000100),
      maxBatchFrames: 100,
    });
    cleanup.push(() => bridge.close());
    await bridge.waitConnected();

    input.write(lines(250));
    input.write('(1700000001.000000) can0 123#ZZ\n(1700000001.000100) can1 200#01\n(1700000001.000200) can0 7DF#R\n');
    input.write('(1700000001.000300) can0 18DAF110##1');
    input.write(`${'AB'.repeat(12)}\n`);
    await until('251 frames', () => obs.frames.length === 251 || undefined);
    expect(obs.frames[0]).toMatchObject({ timestamp: 1700000000, id: 0x100, extended: false, bus: 'can0' });
    expect(Array.from(obs.frames[0]!.data)).toEqual([0x00, 0x01, 0x02]);
    expect(obs.frames[249]).toMatchObject({ id: 0x1f9, timestamp: 1700000000.249 });
    expect(obs.frames[250]).toMatchObject({ id: 0x18daf110, extended: true, fd: true, brs: true });
    expect(obs.frames[250]!.data).toHaveLength(12);
    // At most 100 frames a batch, and not one message per frame.
    expect(obs.batches).toBeGreaterThanOrEqual(3);
    expect(obs.batches).toBeLessThan(50);
    expect(bridge.stats).toMatchObject({ frames: 251, dropped: 0, malformed: 1, ignored: 2 });

    const refused: string[] = [];
    bridge.on('txRefused', (_f, reason) => refused.push(reason));
    const tx = (frames: CanFrame[]) => obs.client.publishAsync(obs.topics.tx('can0'), encodeFrameBatch(frames), { qos: 1 });
    await tx([
      { timestamp: 0, id: 0x3e1, extended: false, data: Uint8Array.from([0x11, 0x22]) },
      { timestamp: 0, id: 0x3e2, extended: false, data: Uint8Array.from([0x33]) },
      { timestamp: 0, id: 0x3e1, extended: true, data: Uint8Array.from([0x44]) },
    ]);
    await until('the allowed frame', () => txText.includes('\n') || undefined);
    await until('two refusals', () => refused.length === 2 || undefined);
    expect(txText).toBe('(1700000100.000000) can0 3E1#1122\n');
    expect(refused).toEqual(['CAN id 3E2 is not in the --tx-allow list', 'CAN id 000003E1 is not in the --tx-allow list']);
    await obs.client.publishAsync(obs.topics.tx('can0'), Buffer.from([9, 9]), { qos: 1 });
    await until('the bad batch counted', () => bridge.stats.txFailed === 1 || undefined);
    expect(bridge.stats).toMatchObject({ txSent: 1, txRefused: 2, txFailed: 1 });

    await bridge.close();
    await bridge.close();
    const last = await until('offline status', () => (obs.statuses.at(-1)?.state === 'offline' ? obs.statuses.at(-1) : undefined));
    expect(last).toMatchObject({ iface: 'can0', frames: 251, dropped: 0, malformed: 1, ignored: 2, txSent: 1, txRefused: 2, txFailed: 1, tx: 'allow 3E1,18DAF110' });
    expect(obs.statuses[0]).toMatchObject({ state: 'running', frames: 0 });
  });

  it('drops and counts frames while the broker is away, reconnects and resumes', async () => {
    const obs = await observe('can0');
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 1883 });
    const port = proxy.port;
    cleanup.push(() => proxy.close());
    const input = new PassThrough();
    const bridge = new CanBridge({ mqttUrl: `mqtt://127.0.0.1:${port}`, topics: obs.topics, iface: 'can0', input, logger: silent, reconnectPeriodMs: 100 });
    cleanup.push(() => bridge.close());
    await bridge.waitConnected();
    input.write(lines(10));
    await until('10 frames', () => obs.frames.length === 10 || undefined);

    proxy.cut();
    await until('disconnected', () => !bridge.connected || undefined);
    await until('last will', () => obs.statuses.at(-1)?.state === 'offline');
    input.write(lines(5, 10));
    await until('5 dropped', () => bridge.stats.dropped === 5 || undefined);

    proxy.restore();
    await until('reconnected', () => bridge.connected || undefined, 5000);
    await until('running again', () => obs.statuses.at(-1)?.state === 'running');
    expect(obs.statuses.at(-1)).toMatchObject({ frames: 10, dropped: 5 });
    input.write(lines(3, 15));
    await until('3 more frames', () => obs.frames.length === 13 || undefined);
    // The frames read while away never arrive: the ones after the gap follow the first ten directly.
    expect(obs.frames.slice(9, 11).map((f) => f.id)).toEqual([0x109, 0x10f]);
  });

  it('the CLI bridges stdin, prints allowed tx frames on stdout, refuses all tx by default; last will when killed', async () => {
    const obs = await observe('vcan7');
    // `direct`: the CLI itself rather than the bin launcher (a SIGKILL must hit the bridge process).
    const start = (extra: string[], direct = false) => {
      const entry = direct ? ['--import', 'tsx', CLI_TS] : [BIN];
      const child = spawn(process.execPath, [...entry, 'bridge', '--mqtt', BROKER, '--topic-root', obs.topics.root, '--iface', 'vcan7', '--tx-stdout', '--log-level', 'warn', ...extra], { stdio: ['pipe', 'pipe', 'pipe'], cwd: REPO });
      const out = { stdout: '', stderr: '' };
      child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      cleanup.push(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      return { child, out, exit };
    };

    // Default: no allowlist, every request refused (and logged on stderr, stdout stays clean).
    const locked = start([]);
    await until('running', () => obs.statuses.at(-1)?.state === 'running', 8000);
    locked.child.stdin.write('(1700000000.000000) vcan7 3E1#01\n');
    await until('frame', () => obs.frames.length === 1 || undefined);
    await obs.client.publishAsync(obs.topics.tx('vcan7'), encodeFrameBatch([{ timestamp: 0, id: 0x3e1, extended: false, data: Uint8Array.from([1]) }]), { qos: 1 });
    await until('refusal logged', () => locked.out.stderr.includes('refused to transmit a frame') || undefined);
    expect(locked.out.stderr).toContain('transmission is disabled');
    locked.child.kill('SIGTERM');
    expect(await locked.exit).toBe(0);
    expect(locked.out.stdout).toBe('');
    await until('offline', () => obs.statuses.at(-1)?.state === 'offline');
    expect(obs.statuses.at(-1)).toMatchObject({ frames: 1, txRefused: 1 });

    // With an allowlist: the allowed frame comes out on stdout as a candump line.
    const open = start(['--tx-allow', '3E1'], true);
    await until('running again', () => obs.statuses.at(-1)?.state === 'running', 8000);
    await obs.client.publishAsync(obs.topics.tx('vcan7'), encodeFrameBatch([
      { timestamp: 0, id: 0x3e1, extended: false, data: Uint8Array.from([0xde, 0xad]) },
      { timestamp: 0, id: 0x3e5, extended: false, data: Uint8Array.from([1]) },
    ]), { qos: 1 });
    await until('tx line', () => open.out.stdout.includes('\n') || undefined);
    expect(open.out.stdout).toMatch(/^\(\d+\.\d{6}\) vcan7 3E1#DEAD\n$/);
    await until('refusal of 3E5 logged', () => open.out.stderr.includes('CAN id 3E5 is not in the --tx-allow list') || undefined);
    // Killed without a goodbye: the broker publishes the last will.
    open.child.kill('SIGKILL');
    await open.exit;
    await until('last will', () => obs.statuses.at(-1)?.state === 'offline');
    expect(obs.statuses.at(-1)).toEqual({ state: 'offline' });
  });

  it('the CLI refuses bad options with the usage', async () => {
    const child = spawn(process.execPath, [BIN, 'bridge', '--mqtt', BROKER, '--iface', 'can0', '--tx-allow', '1234'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/option --tx-allow: "1234": write 11-bit ids/);
    expect(stderr).toContain('auriga-sim bridge --mqtt URL');
  });
});
