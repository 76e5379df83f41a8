/**
 * The real stack for the HMI's browser tests and screenshots: Mosquitto (127.0.0.1:1883, a topic
 * root of its own), vehicle-service, can-sim, and in front of them a small gateway that serves the
 * HMI build with vehicle-service's own hmiStaticPlugin and forwards every /v1 request and
 * WebSocket to the service unchanged.
 *
 * The voice stream (WebSocket /v1/voice/stream) goes to the service's real speech engine; the gateway
 * only taps the client's messages (start, PCM, end) so tests can compare the streamed audio with the WAV.

 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import WebSocket from 'ws';
import { startSimulator, type CarSimulator } from '@auriga/can-sim';
import { loadConfig, startVehicleService, type VehicleServiceHandle } from '@auriga/vehicle-service';
import { hmiStaticPlugin } from '../../../vehicle-service/src/api/hmi-static.js';

export const MOSQUITTO = 'mqtt://127.0.0.1:1883';

export interface VoiceRecording {
  start: Record<string, unknown> | undefined;
  /** Concatenated PCM frames (16-bit little-endian mono). */
  pcm: Int16Array;
  frames: number;
  ended: boolean;
}

export interface HmiStack {
  /** The gateway's http://127.0.0.1:port: open the HMI here. */
  url: string;
  service: VehicleServiceHandle;
  sim: CarSimulator | undefined;
  /** What the page streamed on each voice socket (tapped on the way to the service). */
  voiceRecordings: VoiceRecording[];
  stopSim(): Promise<void>;
  close(): Promise<void>;
}

export interface HmiStackOptions {
  dist: string;
  /** can-sim scenario (default parked); null = no simulator. */
  scenario?: string | null;
  timeScale?: number;
  mqttUrl?: string;
  logger?: Logger;
}

export async function startHmiStack(options: HmiStackOptions): Promise<HmiStack> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const closeAll = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // best effort
      }
    }
  };
  try {
    const topicRoot = `auriga-test/${randomUUID()}/v1`;
    const mqttUrl = options.mqttUrl ?? MOSQUITTO;
    const dataDir = mkdtempSync(join(tmpdir(), 'auriga-hmi-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = loadConfig({}, { http: { host: '127.0.0.1', port: 0 }, dataDir, mqtt: { url: mqttUrl, topicRoot, reconnectMinMs: 50, reconnectMaxMs: 500 } });
    const service = await startVehicleService(config, { logger, defaultMetrics: false });
    cleanups.push(() => service.close());

    let sim: CarSimulator | undefined;
    if (options.scenario !== null) {
      sim = await startSimulator({ mqttUrl, topicRoot, scenario: options.scenario ?? 'parked', timeScale: options.timeScale ?? 1, seed: 7, logger });
      const s = sim;
      cleanups.push(() => (s.isStopped ? undefined : s.stop()));
    }

    const voiceRecordings: VoiceRecording[] = [];

    const gateway = await buildGateway({ service, dist: options.dist, voiceRecordings });
    await gateway.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => gateway.close());
    const address = gateway.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    // Ready when the car's data is flowing (or at once without a simulator).
    if (sim) {
      const deadline = Date.now() + 15_000;
      while (service.state.get('Vehicle.Speed')?.stale !== false || service.state.get('Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature')?.stale !== false) {
        if (Date.now() > deadline) throw new Error('the simulated car did not deliver fresh data within 15 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    return {
      url: `http://127.0.0.1:${port}`,
      service,
      sim,
      voiceRecordings,
      stopSim: async () => {
        if (sim && !sim.isStopped) await sim.stop();
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

interface GatewayDeps {
  service: VehicleServiceHandle;
  dist: string;
  voiceRecordings: VoiceRecording[];
}

/** Records one voice socket's client messages (never changes them). */
function tapVoice(rec: VoiceRecording, data: WebSocket.RawData, isBinary: boolean): void {
  const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  if (isBinary) {
    const frame = new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength - (buf.byteLength % 2)));
    const joined = new Int16Array(rec.pcm.length + frame.length);
    joined.set(rec.pcm);
    joined.set(frame, rec.pcm.length);
    rec.pcm = joined;
    rec.frames++;
    return;
  }
  try {
    const msg = JSON.parse(buf.toString()) as { type?: string };
    if (msg.type === 'start') rec.start = msg;
    if (msg.type === 'end') rec.ended = true;
  } catch {
    // not JSON: the service answers it
  }
}

async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const { service } = deps;
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 1024 * 1024 });
  await app.register(fastifyWebsocket);
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ statusCode: 404, code: 'AURIGA_ERR_API_NOT_FOUND', error: 'Not Found', message: `no route ${req.method} ${req.url}` });
  });
  await app.register(hmiStaticPlugin({ root: deps.dist }));

  // --- forward HTTP unchanged ---
  const forward = async (req: { method: string; url: string; body?: unknown; headers: Record<string, unknown> }) => {
    const init: RequestInit = { method: req.method, headers: {} };
    if (req.body !== undefined && req.method !== 'GET' && req.method !== 'HEAD') {
      init.headers = { 'content-type': 'application/json' };
      init.body = JSON.stringify(req.body);
    }
    return fetch(`${service.url}${req.url}`, init);
  };
  const forwardRoute = async (req: Parameters<typeof forward>[0], reply: import('fastify').FastifyReply) => {
    const res = await forward(req);
    const type = res.headers.get('content-type');
    if (type) void reply.type(type);
    return reply.code(res.status).send(Buffer.from(await res.arrayBuffer()));
  };
  app.get('/healthz', (req, reply) => forwardRoute(req, reply));

  // --- forward WebSockets unchanged ---
  const pipeSocket = (client: WebSocket, path: string) => {
    const upstream = new WebSocket(`${service.url.replace(/^http/, 'ws')}${path}`);
    const queue: Array<[WebSocket.RawData, boolean]> = [];
    client.on('message', (data, isBinary) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
      else queue.push([data, isBinary]);
    });
    upstream.on('open', () => {
      for (const [d, b] of queue.splice(0)) upstream.send(d, { binary: b });
    });
    upstream.on('message', (data, isBinary) => {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    });
    const closeBoth = (code: number, reason: string) => {
      const c = code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1011;
      if (client.readyState === WebSocket.OPEN) client.close(c, reason);
      if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
    };
    upstream.on('close', (code, reason) => closeBoth(code, reason.toString()));
    upstream.on('error', () => closeBoth(1011, 'upstream error'));
    client.on('close', () => upstream.terminate());
  };

  app.route({
    method: 'GET',
    url: '/v1/stream',
    handler: (req, reply) => forwardRoute(req, reply),
    wsHandler: (socket) => pipeSocket(socket as unknown as WebSocket, '/v1/stream'),
  });

  // --- WebSocket /v1/voice/stream: forwarded to the service's speech engine, with a tap that keeps
  // what the page streamed (tests compare it with the WAV the fake microphone played) ---
  app.route({
    method: 'GET',
    url: '/v1/voice/stream',
    handler: (req, reply) => forwardRoute(req, reply),
    wsHandler: (socket) => {
      const client = socket as unknown as WebSocket;
      const rec: VoiceRecording = { start: undefined, pcm: new Int16Array(0), frames: 0, ended: false };
      deps.voiceRecordings.push(rec);
      client.on('message', (data, isBinary) => tapVoice(rec, data, isBinary));
      pipeSocket(client, '/v1/voice/stream');
    },
  });

  // Everything else under /v1 goes to the service as is (including its 404 for missing routes).
  app.all('/v1/*', (req, reply) => forwardRoute(req, reply));
  return app;
}
