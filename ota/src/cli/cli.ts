import { chmod, readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { isAurigaError } from '@auriga/common';
import { buildBundle, verifyBundleFile } from '../bundle/bundle.js';
import { validateManifest, type ManifestFile, type ManifestInput } from '../bundle/manifest.js';
import { createSigner, generateKeyFile, keyIdOf, parseKeyFile, parsePublicKey, publicKeyOnly, type PublicKey } from '../metadata/keys.js';
import { buildRoot, buildTargets, expiresAfter } from '../metadata/repository.js';
import { checkRootConsistency, signMetadata, verifyThreshold } from '../metadata/sign.js';
import { parseEnvelope, TOP_ROLES, type AnySigned, type Envelope, type RoleName, type RootSigned } from '../metadata/types.js';
import { hashToken } from '../server/tokens.js';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const USAGE = `auriga-ota: operator tool for Auriga OTA model updates

Keys and root (offline):
  keys generate --out FILE                       new ed25519 key file (0600); prints its keyid
  keys public --in FILE                          the public half, to hand to whoever builds root
  root init --out FILE --key ROLE=FILE... [--threshold ROLE=N...] --sign FILE... [--expires-days 365]
  root rotate --current FILE --out FILE [--key ROLE=FILE... replaces those roles] [--threshold ROLE=N]
              --sign FILE... (old AND new root keys) [--expires-days 365]
  metadata sign --in FILE --sign FILE...          add signatures (threshold ceremonies)
  metadata publish --role root|targets --in FILE  upload signed metadata
Bundles and releases:
  bundle build --dir DIR --manifest FILE --out FILE
  bundle verify --in FILE
  release publish --bundle FILE --sign FILE... [--path NAME] [--expires-days 90] [--out FILE (sign only)]
  release list
Fleet:
  vehicle add --id ID --group G --hardware HW    prints the vehicle's token (shown once)
  vehicle token --id ID                          rotates it
  vehicle list [--group G]
  campaign create --name N --release TARGET (--group G | --vehicles a,b) --stages 10:0.2,100:0.05
                  [--previous TARGET] [--starts-at ISO] [--ends-at ISO] [--daily HH:MM-HH:MM]
                  [--stage-timeout 6h]  judge a stage on the cars that finished after this (s, m, h, d)
  campaign list | show --id ID | watch --id ID [--interval-s 5] [--once]
  campaign pause|resume|abort|rollback --id ID
Server:
  token hash TOKEN                               the sha256 to put in the server config
  serve --config FILE                            run the fleet server (see docs/ota/operations.md)

Fleet commands read --server and --token, or AURIGA_OTA_SERVER and AURIGA_OTA_TOKEN.`;

const OPTIONS = {
  out: { type: 'string' }, in: { type: 'string' }, key: { type: 'string', multiple: true }, sign: { type: 'string', multiple: true },
  threshold: { type: 'string', multiple: true }, 'expires-days': { type: 'string' }, current: { type: 'string' }, role: { type: 'string' },
  dir: { type: 'string' }, manifest: { type: 'string' }, bundle: { type: 'string' }, path: { type: 'string' }, id: { type: 'string' },
  group: { type: 'string' }, hardware: { type: 'string' }, name: { type: 'string' }, release: { type: 'string' }, vehicles: { type: 'string' },
  stages: { type: 'string' }, previous: { type: 'string' }, 'starts-at': { type: 'string' }, 'ends-at': { type: 'string' }, daily: { type: 'string' },
  'stage-timeout': { type: 'string' }, 'interval-s': { type: 'string' }, once: { type: 'boolean' }, server: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const [group, cmd, ...rest] = positionals;
  if (v.help || !group) {
    io.out(USAGE);
    return v.help ? 0 : 2;
  }
  const now = io.now ?? Date.now;
  const need = (name: keyof typeof OPTIONS): string => {
    const value = v[name];
    if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required for ${group} ${cmd ?? ''}`.trim());
    return value;
  };
  const api = (): Api => new Api(v.server ?? io.env.AURIGA_OTA_SERVER, v.token ?? io.env.AURIGA_OTA_TOKEN, io.fetch ?? fetch);
  const days = (fallback: number) => {
    const d = Number(v['expires-days'] ?? fallback);
    if (!(d > 0)) throw new UsageError('--expires-days must be a positive number');
    return d * 86_400;
  };
  const print = (value: unknown) => io.out(typeof value === 'string' ? value : JSON.stringify(value, null, 2));

  try {
    switch (`${group} ${cmd ?? ''}`.trim()) {
      case 'keys generate': {
        const file = generateKeyFile();
        const out = need('out');
        await writeFile(out, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
        await chmod(out, 0o600);
        print({ keyid: keyIdOf(file), public: file.keyval.public, file: out });
        return 0;
      }
      case 'keys public': {
        print(publicKeyOnly(parsePublicKey(JSON.parse(await readFile(need('in'), 'utf8')), need('in'))));
        return 0;
      }
      case 'root init':
      case 'root rotate': {
        const rotating = cmd === 'rotate';
        const current = rotating ? parseEnvelope('root', await readFile(need('current'), 'utf8')).signed : undefined;
        const roles = await roleKeys(v.key ?? [], v.threshold ?? [], current);
        const missing = TOP_ROLES.filter((r) => !roles[r]);
        if (missing.length) throw new UsageError(`no keys for role(s) ${missing.join(', ')}: add --key ROLE=FILE`);
        const root = buildRoot({ version: (current?.version ?? 0) + 1, expires: expiresAfter(now(), days(365)), roles: roles as Record<RoleName, { keys: PublicKey[]; threshold: number }> });
        checkRootConsistency(root);
        const signers = await loadSigners(v.sign ?? []);
        const env = signMetadata(root, signers);
        verifyThreshold(env, root, 'root');
        if (current) verifyThreshold(env, current, 'root');
        await writeFile(need('out'), `${JSON.stringify(env, null, 2)}\n`);
        print({ version: root.version, expires: root.expires, out: v.out });
        return 0;
      }
      case 'metadata sign': {
        const file = need('in');
        const env = JSON.parse(await readFile(file, 'utf8')) as Envelope<AnySigned>;
        const role = (env.signed as { _type?: RoleName })._type;
        if (!role || !TOP_ROLES.includes(role)) throw new UsageError(`${file} is not role metadata`);
        const signed = signMetadata(parseEnvelope(role, env).signed, await loadSigners(v.sign ?? []), env.signatures);
        await writeFile(file, `${JSON.stringify(signed, null, 2)}\n`);
        print({ role, version: signed.signed.version, signatures: signed.signatures.length });
        return 0;
      }
      case 'metadata publish': {
        const role = need('role');
        if (role !== 'root' && role !== 'targets') throw new UsageError('--role must be root or targets');
        print(await api().call('PUT', `/api/v1/metadata/${role}`, JSON.parse(await readFile(need('in'), 'utf8'))));
        return 0;
      }
      case 'bundle build': {
        const given = JSON.parse(await readFile(need('manifest'), 'utf8')) as ManifestInput;
        // `files` may name just path and role: the build computes sha256 and length.
        const manifest: ManifestInput = given.files ? { ...given, files: given.files.map((f: Partial<ManifestFile> & { path: string }) => ({ ...f, sha256: f.sha256 ?? '0'.repeat(64), length: f.length ?? 0 })) } : given;
        validateManifest({ ...manifest, files: manifest.files ?? [{ path: 'placeholder', sha256: '0'.repeat(64), length: 0 }] });
        const built = await buildBundle({ sourceDir: need('dir'), manifest, outFile: need('out') });
        print({ out: built.path, sha256: built.sha256, length: built.length, files: built.manifest.files.length });
        return 0;
      }
      case 'bundle verify': {
        const m = await verifyBundleFile(need('in'));
        print({ ok: true, name: m.name, version: m.version, kind: m.kind, files: m.files.length });
        return 0;
      }
      case 'release publish': {
        const bundlePath = need('bundle');
        const manifest = await verifyBundleFile(bundlePath);
        const signers = await loadSigners(v.sign ?? []);
        if (signers.length === 0) throw new UsageError('--sign FILE (a targets key) is required');
        const client = api();
        const uploaded = await client.upload('/api/v1/bundles', await readFile(bundlePath)) as { sha256: string; length: number };
        const current = await client.call('GET', '/api/v1/metadata/targets', undefined, [404]) as Envelope | undefined;
        const prev = current ? parseEnvelope('targets', current).signed : undefined;
        const path = v.path ?? basename(bundlePath);
        const targets = {
          ...(prev?.targets ?? {}),
          [path]: {
            length: uploaded.length, hashes: { sha256: uploaded.sha256 },
            custom: { name: manifest.name, version: manifest.version, kind: manifest.kind, hardwareIds: manifest.supports.hardware, serviceVersions: manifest.supports.serviceVersions },
          },
        };
        const env = signMetadata(buildTargets((prev?.version ?? 0) + 1, expiresAfter(now(), days(90)), targets), signers);
        if (v.out) {
          // Threshold above one: write it, collect signatures with `metadata sign`, then `metadata publish`.
          await writeFile(v.out, `${JSON.stringify(env, null, 2)}\n`);
          print({ out: v.out, version: env.signed.version, path });
          return 0;
        }
        print(await client.call('PUT', '/api/v1/metadata/targets', env));
        return 0;
      }
      case 'release list': print(await api().call('GET', '/api/v1/releases')); return 0;
      case 'vehicle add': print(await api().call('POST', '/api/v1/vehicles', { id: need('id'), group: need('group'), hardwareId: need('hardware') })); return 0;
      case 'vehicle token': print(await api().call('POST', `/api/v1/vehicles/${encodeURIComponent(need('id'))}/token`)); return 0;
      case 'vehicle list': print(await api().call('GET', `/api/v1/vehicles${v.group ? `?group=${encodeURIComponent(v.group)}` : ''}`)); return 0;
      case 'campaign create': {
        const selector = v.group ? { group: v.group } : v.vehicles ? { vehicles: v.vehicles.split(',').map((s) => s.trim()).filter(Boolean) } : undefined;
        if (!selector) throw new UsageError('--group or --vehicles is required');
        const schedule: Record<string, unknown> = {};
        if (v['starts-at']) schedule.startsAt = parseTime(v['starts-at'], '--starts-at');
        if (v['ends-at']) schedule.endsAt = parseTime(v['ends-at'], '--ends-at');
        if (v.daily) schedule.daily = parseDaily(v.daily);
        if (v['stage-timeout']) schedule.stageTimeoutS = parseDuration(v['stage-timeout'], '--stage-timeout');
        print(await api().call('POST', '/api/v1/campaigns', {
          name: need('name'), releaseId: need('release'), selector, stages: parseStages(need('stages')),
          ...(v.previous ? { previousReleaseId: v.previous } : {}), ...(Object.keys(schedule).length ? { schedule } : {}),
        }));
        return 0;
      }
      case 'campaign list': print(await api().call('GET', '/api/v1/campaigns')); return 0;
      case 'campaign show': print(await api().call('GET', `/api/v1/campaigns/${encodeURIComponent(need('id'))}`)); return 0;
      case 'campaign watch': {
        const client = api();
        const id = need('id');
        const interval = Number(v['interval-s'] ?? 5) * 1000;
        const sleep = io.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
        for (;;) {
          const p = await client.call('GET', `/api/v1/campaigns/${encodeURIComponent(id)}`) as WatchProgress;
          io.out(formatProgress(p));
          if (v.once || ['completed', 'aborted', 'rolled_back'].includes(p.campaign.state)) return 0;
          await sleep(interval);
        }
      }
      case 'campaign pause':
      case 'campaign resume':
      case 'campaign abort':
      case 'campaign rollback':
        print(await api().call('POST', `/api/v1/campaigns/${encodeURIComponent(need('id'))}/${cmd}`));
        return 0;
      case 'token hash': {
        const token = rest[0];
        if (!token) throw new UsageError('token hash TOKEN');
        print(hashToken(token));
        return 0;
      }
      default:
        io.err(`unknown command: ${[group, cmd].filter(Boolean).join(' ')}\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(err.message);
      return 2;
    }
    io.err(isAurigaError(err) ? `${err.code}: ${err.message}` : (err as Error).message);
    return 1;
  }
}

interface WatchProgress {
  campaign: { name: string; state: string; currentStage: number; stateReason: string | null };
  stages: { percent: number; total: number; succeeded: number; failed: number; inProgress: number; notStarted: number; failureThreshold: number }[];
  rollback: { total: number; done: number; failed: number };
}

export function formatProgress(p: WatchProgress): string {
  const stages = p.stages.map((s, i) =>
    `${i === p.campaign.currentStage ? '>' : ' '}stage ${i + 1} (${s.percent}%): ${s.succeeded}/${s.total} active, ${s.failed} failed, ${s.inProgress} in progress, ${s.notStarted} waiting`).join('\n');
  const rb = p.rollback.total ? `\n rollback: ${p.rollback.done}/${p.rollback.total} done, ${p.rollback.failed} failed` : '';
  return `${p.campaign.name}: ${p.campaign.state}${p.campaign.stateReason ? ` (${p.campaign.stateReason})` : ''}\n${stages}${rb}`;
}

export function parseStages(text: string): { percent: number; failureThreshold: number }[] {
  return text.split(',').map((part) => {
    const m = /^\s*(\d+(?:\.\d+)?):(\d*(?:\.\d+)?)\s*$/.exec(part);
    if (!m) throw new UsageError(`--stages: "${part}" is not PERCENT:FAILURE_RATE (e.g. 10:0.2)`);
    return { percent: Number(m[1]), failureThreshold: Number(m[2]) };
  });
}

function parseTime(text: string, flag: string): number {
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`${flag}: ${text} is not an ISO date`);
  return t;
}

/** `90`, `90s`, `30m`, `6h`, `2d` -> seconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m?.[2] ?? ''];
  if (!m || unit === undefined || Number(m[1]) === 0) throw new UsageError(`${flag}: ${text} is not a duration like 90s, 30m, 6h or 2d`);
  return Number(m[1]) * unit;
}

function parseDaily(text: string): { fromMinute: number; toMinute: number } {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new UsageError('--daily must be HH:MM-HH:MM (UTC)');
  return { fromMinute: Number(m[1]) * 60 + Number(m[2]), toMinute: Number(m[3]) * 60 + Number(m[4]) };
}

async function loadSigners(files: string[]) {
  return Promise.all(files.map(async (f) => createSigner(parseKeyFile(JSON.parse(await readFile(f, 'utf8')), f))));
}

async function roleKeys(specs: string[], thresholds: string[], current?: RootSigned): Promise<Partial<Record<RoleName, { keys: PublicKey[]; threshold: number }>>> {
  const out: Partial<Record<RoleName, { keys: PublicKey[]; threshold: number }>> = {};
  if (current) {
    for (const role of TOP_ROLES) {
      out[role] = { keys: current.roles[role].keyids.map((id) => current.keys[id]!), threshold: current.roles[role].threshold };
    }
  }
  const replaced = new Set<RoleName>();
  for (const spec of specs) {
    const [role, file] = spec.split('=', 2) as [RoleName, string | undefined];
    if (!TOP_ROLES.includes(role) || !file) throw new UsageError(`--key ${spec}: expected ROLE=FILE with ROLE one of ${TOP_ROLES.join(', ')}`);
    const key = parsePublicKey(JSON.parse(await readFile(file, 'utf8')), file);
    if (!replaced.has(role)) out[role] = { keys: [], threshold: out[role]?.threshold ?? 1 };
    replaced.add(role);
    out[role]!.keys.push(key);
  }
  for (const spec of thresholds) {
    const [role, n] = spec.split('=', 2) as [RoleName, string | undefined];
    if (!out[role] || !(Number(n) >= 1)) throw new UsageError(`--threshold ${spec}: expected ROLE=N for a role with keys`);
    out[role]!.threshold = Number(n);
  }
  for (const [role, spec] of Object.entries(out)) {
    if (spec.threshold > spec.keys.length) throw new UsageError(`role ${role} has threshold ${spec.threshold} but ${spec.keys.length} key(s)`);
  }
  return out;
}

class Api {
  constructor(private readonly base: string | undefined, private readonly token: string | undefined, private readonly f: typeof fetch) {
    if (!base) throw new UsageError('--server or AURIGA_OTA_SERVER is required');
    if (!token) throw new UsageError('--token or AURIGA_OTA_TOKEN is required');
  }

  async call(method: string, path: string, body?: unknown, okMissing: number[] = []): Promise<unknown> {
    const res = await this.f(`${this.base!.replace(/\/$/, '')}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    if (okMissing.includes(res.status)) {
      await res.arrayBuffer();
      return undefined;
    }
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${parsed?.error ?? ''}: ${parsed?.message ?? text}`);
    return parsed;
  }

  async upload(path: string, bytes: Buffer): Promise<unknown> {
    const res = await this.f(`${this.base!.replace(/\/$/, '')}${path}`, {
      method: 'PUT', headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/octet-stream' }, body: bytes,
    });
    const parsed = await res.json() as { error?: string; message?: string };
    if (!res.ok) throw new Error(`PUT ${path}: HTTP ${res.status} ${parsed.error ?? ''}: ${parsed.message ?? ''}`);
    return parsed;
  }
}
