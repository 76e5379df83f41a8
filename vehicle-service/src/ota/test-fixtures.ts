/**
 * Test helpers for the OTA agent: a real fleet server (from @auriga/ota) listening on a local port with a
 * SQLite store, voice-context bundles built and signed with the operator tooling, and a handler whose
 * model misbehaves after the switch as its bundle says (to test the automatic rollback).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, TestFleet, type ManifestInput } from '@auriga/ota';
import type { Acceptance, ManifestFile } from '@auriga/ota/client';
import { matchText } from '../context/match.js';
import type { HealthResult, ModelSource } from './acceptance.js';
import { VoiceContextHandler, type VoiceContextModel } from './handlers/voice-context.js';

export const HARDWARE = 'hu-a1';
export const SERVICE_VERSION = '0.1.0';

/** v1: doors only. v2 adds lights. */
export const CONTEXT_V1 = `context:
  name: garage
  language: en-US
  intents:
    openDoor:
      - "open (the) $door:door (door)"
    closeDoor:
      - "close (the) $door:door (door)"
  slots:
    door: [left, right]
`;
export const CONTEXT_V2 = `${CONTEXT_V1.replace('  slots:', `    lightsOn:
      - "turn on (the) lights"
      - "lights on"
  slots:`)}`;

export const GOLDEN_V2 = {
  phrases: [
    { text: 'open the left door', intent: 'openDoor' },
    { text: 'close the right door', intent: 'closeDoor' },
    { text: 'turn on the lights', intent: 'lightsOn' },
    { text: 'lights on', intent: 'lightsOn' },
    { text: 'sing me a song', intent: null },
  ],
};

export interface LocalFleet {
  fleet: TestFleet;
  url: string;
  cleanup(): Promise<void>;
}

export async function startLocalFleet(): Promise<LocalFleet> {
  const fleet = await TestFleet.create('sqlite');
  await fleet.server.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = fleet.server.app.server.address() as AddressInfo;
  return { fleet, url: `http://127.0.0.1:${port}`, cleanup: () => fleet.cleanup() };
}

/** The factory voice context shipped with the image (v1), in its own directory. */
export async function writeFactoryContext(dir: string): Promise<string> {
  const d = join(dir, 'factory-voice');
  await mkdir(d, { recursive: true });
  await writeFile(join(d, 'garage.yaml'), CONTEXT_V1);
  return d;
}

export interface VoiceBundleSpec {
  name?: string;
  version: string;
  context?: string;
  golden?: unknown;
  acceptance?: Acceptance;
  /** Extra files (role `other`), e.g. fault.json for FaultyVoiceHandler. */
  extra?: Record<string, string>;
  /** Pads the bundle (role `other`), to make downloads long enough to cut. */
  padBytes?: number;
}

/** Builds a voice-context bundle, uploads it and signs it into new targets metadata; returns its target path (release id). */
export async function publishVoiceBundle(fleet: TestFleet, spec: VoiceBundleSpec): Promise<{ targetPath: string; sha256: string; length: number }> {
  const name = spec.name ?? 'garage-context';
  const src = await mkdtemp(join(fleet.dir, `src-${spec.version}-`));
  const files: ManifestFile[] = [];
  const add = async (path: string, content: string | Buffer, role: ManifestFile['role']) => {
    await writeFile(join(src, path), content);
    files.push({ path, sha256: '0'.repeat(64), length: 0, role });
  };
  await add('garage.yaml', spec.context ?? CONTEXT_V2, 'voice-context');
  await add('golden.json', JSON.stringify(spec.golden ?? GOLDEN_V2), 'acceptance-data');
  for (const [path, content] of Object.entries(spec.extra ?? {})) await add(path, content, 'other');
  if (spec.padBytes) await add('padding.bin', Buffer.alloc(spec.padBytes, 7), 'other');
  const manifest: ManifestInput = {
    name,
    version: spec.version,
    kind: 'voice-context',
    supports: { serviceVersions: '^0.1.0', hardware: [HARDWARE] },
    acceptance: spec.acceptance ?? { minAccuracy: 0.8, maxLatencyMs: 500 },
    files,
  };
  const built = await buildBundle({ sourceDir: src, outFile: join(fleet.dir, `${name}-${spec.version}.bundle`), manifest });
  const upload = await fleet.server.app.inject({
    method: 'PUT', url: '/api/v1/bundles', payload: await readFile(built.path),
    headers: { authorization: 'Bearer op-test-token', 'content-type': 'application/octet-stream' },
  });
  if (upload.statusCode !== 201) throw new Error(`upload failed: ${upload.body}`);
  const targetPath = `${name}-${spec.version}.bundle`;
  fleet.targets[targetPath] = built.target;
  const res = await fleet.op(fleet.server, 'PUT', '/api/v1/metadata/targets', fleet.signedTargets());
  if (res.statusCode !== 200) throw new Error(`targets publish failed: ${res.body}`);
  await rm(src, { recursive: true, force: true });
  return { targetPath, sha256: built.sha256, length: built.length };
}

export async function assign(fleet: TestFleet, releaseId: string, vehicles: string[]): Promise<string> {
  const res = await fleet.op(fleet.server, 'POST', '/api/v1/campaigns', {
    name: `c-${releaseId}-${vehicles.join(',')}`, releaseId, selector: { vehicles },
    stages: [{ percent: 100, failureThreshold: 1 }],
  });
  if (res.statusCode !== 201) throw new Error(`campaign failed: ${res.body}`);
  return (res.json() as { campaign: { id: string } }).campaign.id;
}

export async function vehicleOnServer(fleet: TestFleet, id: string): Promise<{ lastStep: string; assignment: { status: string; statusReason?: string | null } | null; reports: Array<{ step: string; reason: string | null }> }> {
  return (await fleet.op(fleet.server, 'GET', `/api/v1/vehicles/${id}`)).json();
}

export async function tempDir(prefix = 'ota-agent-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Busy work for a given time (a model that is too slow keeps the CPU, it does not sleep). */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* busy */ }
}

export interface FaultyModel extends VoiceContextModel {
  fault?: { afterSwitch: 'crash' | 'slow'; slowMs?: number };
}

/**
 * A voice-context handler for tests whose model passes its acceptance test but misbehaves once it serves
 * requests, as a `fault.json` file in its bundle says: `crash` (every request throws, like a native fault in
 * a real model) or `slow` (each request takes `slowMs`). Requests go through `answer`.
 */
export class FaultyVoiceHandler extends VoiceContextHandler {
  override async load(source: ModelSource): Promise<FaultyModel> {
    const model: FaultyModel = await super.load(source);
    const fault = source.files.find((f) => f.path === 'fault.json');
    if (fault) model.fault = JSON.parse(await readFile(join(source.dir, fault.path), 'utf8')) as FaultyModel['fault'];
    return model;
  }

  answer(model: FaultyModel, text: string) {
    if (model.fault?.afterSwitch === 'crash') throw new Error('model crashed while answering');
    if (model.fault?.afterSwitch === 'slow') spin(model.fault.slowMs ?? 50);
    return matchText(model.compiled, text);
  }

  override async healthCheck(model: FaultyModel, acceptance: Acceptance): Promise<HealthResult> {
    // Answer through the same path as requests, so the fault shows.
    const start = performance.now();
    try {
      this.answer(model, 'open the left door');
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    const latencyMs = performance.now() - start;
    if (acceptance.maxLatencyMs !== undefined && latencyMs > acceptance.maxLatencyMs) {
      return { ok: false, latencyMs, reason: `answered in ${Math.round(latencyMs)} ms, budget ${acceptance.maxLatencyMs} ms` };
    }
    return super.healthCheck(model, acceptance);
  }
}
