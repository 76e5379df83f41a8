import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Logger } from 'pino';
import { OtaErrors } from '../errors.js';
import { parseKeyFile } from '../metadata/keys.js';
import { openStore } from '../store/sql-store.js';
import { createOtaServer, type OtaServer } from './app.js';
import { FileBundleStore } from './bundle-store.js';
import { mqttAssignmentNotifier } from './notify.js';

export const ServerConfigSchema = Type.Object({
  listen: Type.Object({ host: Type.String({ default: '127.0.0.1' }), port: Type.Integer({ minimum: 0, maximum: 65535 }) }),
  /** `sqlite:/path/ota.db` or `postgres://user@host/db?schema=ota`. */
  store: Type.String({ minLength: 1 }),
  bundleDir: Type.String({ minLength: 1 }),
  onlineKeys: Type.Object({
    snapshot: Type.Array(Type.String(), { minItems: 1 }),
    timestamp: Type.Array(Type.String(), { minItems: 1 }),
    director: Type.Array(Type.String(), { minItems: 1 }),
  }),
  operatorTokenHashes: Type.Array(Type.String({ pattern: '^[0-9a-f]{64}$' }), { minItems: 1 }),
  pollIntervalS: Type.Optional(Type.Integer({ minimum: 10 })),
  campaignTickS: Type.Optional(Type.Integer({ minimum: 1 })),
  maxBundleBytes: Type.Optional(Type.Integer({ minimum: 1 })),
  /** MQTT push to cars ("check in now" on `{topicRoot}/ota/notify/{vehicleId}`); absent = cars only poll. */
  push: Type.Optional(Type.Object({
    mqttUrl: Type.String({ pattern: '^(mqtts?|wss?)://' }),
    topicRoot: Type.String({ minLength: 1, pattern: '^[^#+]+$' }),
  })),
});
export type ServerConfig = Static<typeof ServerConfigSchema>;

/** Reads a JSON config; relative paths are relative to the config file. */
export async function loadServerConfig(path: string): Promise<ServerConfig> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as unknown;
  if (!Value.Check(ServerConfigSchema, raw)) {
    const first = Value.Errors(ServerConfigSchema, raw).First();
    throw OtaErrors.badRequest(`${path}${first?.path ?? ''}: ${first?.message ?? 'invalid config'}`);
  }
  const base = dirname(resolve(path));
  const abs = (p: string) => resolve(base, p);
  return {
    ...raw,
    store: raw.store.startsWith('postgres') ? raw.store : `sqlite:${abs(raw.store.replace(/^sqlite:/, ''))}`,
    bundleDir: abs(raw.bundleDir),
    onlineKeys: {
      snapshot: raw.onlineKeys.snapshot.map(abs),
      timestamp: raw.onlineKeys.timestamp.map(abs),
      director: raw.onlineKeys.director.map(abs),
    },
  };
}

export async function startServer(config: ServerConfig, logger: Logger): Promise<{ server: OtaServer; url: string }> {
  const load = (files: string[]) => Promise.all(files.map(async (f) => parseKeyFile(JSON.parse(await readFile(f, 'utf8')), f)));
  const onlineKeys = { snapshot: await load(config.onlineKeys.snapshot), timestamp: await load(config.onlineKeys.timestamp), director: await load(config.onlineKeys.director) };
  const store = await openStore(config.store);
  const notifier = config.push
    ? mqttAssignmentNotifier({ url: config.push.mqttUrl, topicRoot: config.push.topicRoot, logger: logger.child({ component: 'ota-push' }) })
    : undefined;
  const server = await createOtaServer({
    store,
    bundles: new FileBundleStore(config.bundleDir),
    onlineKeys,
    operatorTokenHashes: config.operatorTokenHashes,
    logger,
    pollIntervalS: config.pollIntervalS,
    campaignTickMs: (config.campaignTickS ?? 10) * 1000,
    maxBundleBytes: config.maxBundleBytes,
    ...(notifier ? { notifier } : {}),
  }).catch(async (err: unknown) => {
    await notifier?.close();
    await store.close();
    throw err;
  });
  const close = server.close;
  server.close = async () => {
    await close();
    await store.close();
  };
  const url = await server.app.listen({ host: config.listen.host, port: config.listen.port }).catch(async (err: unknown) => {
    await server.close(); // the port is taken: release the store and the broker connection
    throw err;
  });
  return { server, url };
}
