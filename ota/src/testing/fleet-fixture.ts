import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildBundle, type BuiltBundle } from '../bundle/bundle.js';
import { createSigner, generateKeyFile, type PrivateKeyFile, type Signer } from '../metadata/keys.js';
import { buildRoot, buildTargets, expiresAfter } from '../metadata/repository.js';
import { signMetadata } from '../metadata/sign.js';
import type { RoleName, TargetFile } from '../metadata/types.js';
import { createOtaServer, type OtaServer, type OtaServerOptions } from '../server/app.js';
import { FileBundleStore } from '../server/bundle-store.js';
import { hashToken } from '../server/tokens.js';
import { createTestStore, type TestStore } from '../store/test-stores.js';

export const OPERATOR_TOKEN = 'op-test-token';

/**
 * A fleet server over a throwaway store with a published root, plus the offline keys an operator holds,
 * for server tests, e2e tests of the in-car agent and benchmarks.
 */
export class TestFleet {
  readonly keys: Record<RoleName, PrivateKeyFile> = {
    root: generateKeyFile(), targets: generateKeyFile(), snapshot: generateKeyFile(), timestamp: generateKeyFile(), director: generateKeyFile(),
  };
  rootJson = '';
  private targetsVersion = 0;
  readonly targets: Record<string, TargetFile> = {};
  clock = Date.UTC(2030, 0, 1);
  readonly servers: OtaServer[] = [];

  private constructor(readonly dir: string, readonly db: TestStore) {}

  static async create(kind: 'sqlite' | 'postgres' = 'sqlite', extra: Partial<OtaServerOptions> = {}): Promise<TestFleet> {
    const fleet = new TestFleet(await mkdtemp(join(tmpdir(), 'ota-fleet-')), await createTestStore(kind));
    const server = await fleet.addServer(extra, fleet.db.store);
    fleet.rootJson = JSON.stringify(signMetadata(buildRoot({
      version: 1,
      expires: expiresAfter(fleet.clock, 365 * 86_400),
      roles: Object.fromEntries((Object.keys(fleet.keys) as RoleName[]).map((r) => [r, { keys: [createSigner(fleet.keys[r]).publicKey], threshold: 1 }])) as never,
    }), [createSigner(fleet.keys.root)]));
    const res = await fleet.op(server, 'PUT', '/api/v1/metadata/root', JSON.parse(fleet.rootJson));
    if (res.statusCode !== 200) throw new Error(`root publish failed: ${res.body}`);
    return fleet;
  }

  get server(): OtaServer { return this.servers[0]!; }
  now = (): number => this.clock;

  /** Another server instance on the same database and bundle directory (a second machine behind the LB). */
  async addServer(extra: Partial<OtaServerOptions> = {}, store?: TestStore['store']): Promise<OtaServer> {
    const server = await createOtaServer({
      store: store ?? (await this.db.openAnother()),
      bundles: new FileBundleStore(join(this.dir, 'bundles')),
      onlineKeys: { snapshot: [this.keys.snapshot], timestamp: [this.keys.timestamp], director: [this.keys.director] },
      operatorTokenHashes: [hashToken(OPERATOR_TOKEN)],
      logger: pino({ level: 'silent' }),
      now: this.now,
      campaignTickMs: 0,
      metadataCacheMs: 0,
      forceCloseConnections: true,
      ...extra,
    });
    this.servers.push(server);
    return server;
  }

  op(server: OtaServer, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
    return server.app.inject({ method, url, payload: payload as never, headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  }

  async registerVehicle(id: string, group: string, hardwareId: string): Promise<string> {
    const res = await this.op(this.server, 'POST', '/api/v1/vehicles', { id, group, hardwareId });
    if (res.statusCode !== 201) throw new Error(`register failed: ${res.body}`);
    return res.json().token as string;
  }

  /** Builds a bundle of `bytes` model bytes, uploads it and publishes it in new targets metadata. */
  async publishRelease(name: string, version: string, opts: { hardware?: string[]; bytes?: number; serviceVersions?: string; signer?: Signer } = {}): Promise<BuiltBundle & { targetPath: string }> {
    const src = join(this.dir, `src-${name}-${version}`);
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'model.onnx'), Buffer.alloc(opts.bytes ?? 4096, version));
    await writeFile(join(src, 'voice-context.json'), JSON.stringify({ version }));
    const built = await buildBundle({
      sourceDir: src,
      outFile: join(this.dir, `${name}-${version}.bundle`),
      manifest: {
        name, version, kind: 'speech-model',
        supports: { serviceVersions: opts.serviceVersions ?? '^0.1.0', hardware: opts.hardware ?? ['hu-a1'] },
        acceptance: { minAccuracy: 0.9, maxLatencyMs: 300 },
      },
    });
    const upload = await this.server.app.inject({
      method: 'PUT', url: '/api/v1/bundles', payload: await readFile(built.path),
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/octet-stream' },
    });
    if (upload.statusCode !== 201) throw new Error(`upload failed: ${upload.body}`);
    const targetPath = `${name}-${version}.bundle`;
    this.targets[targetPath] = built.target;
    const res = await this.op(this.server, 'PUT', '/api/v1/metadata/targets', this.signedTargets(opts.signer));
    if (res.statusCode !== 200) throw new Error(`targets publish failed: ${res.body}`);
    return { ...built, targetPath };
  }

  /** The next targets version over all known targets, signed by the targets key (or `signer`). */
  signedTargets(signer?: Signer, version = this.targetsVersion + 1): unknown {
    const env = signMetadata(buildTargets(version, expiresAfter(this.clock, 90 * 86_400), { ...this.targets }), [signer ?? createSigner(this.keys.targets)]);
    if (!signer) this.targetsVersion = version;
    return env;
  }

  async cleanup(): Promise<void> {
    for (const s of this.servers) await s.close();
    await this.db.cleanup();
    await rm(this.dir, { recursive: true, force: true });
  }
}
