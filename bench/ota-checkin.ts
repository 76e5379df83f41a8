/**
 * Fleet server check-ins per second with 10,000 simulated vehicles on loopback, on SQLite and on PostgreSQL.
 *
 * The server runs as its own process (`auriga-ota serve`, as deployed) so the load generator does not
 * share its event loop. 10,000 vehicles are registered, one release is published and a one-stage campaign
 * assigns it to all of them. Round 1: every vehicle checks in once (each check-in signs that vehicle's
 * director metadata: the expensive path). Round 2: every vehicle checks in again (steady state: stored
 * director served). Concurrency 64 over keep-alive connections; each round is bounded to 60 s.
 *
 *   node --import tsx bench/ota-checkin.ts [--quick] [--vehicles N]
 *
 * --quick: 2,000 vehicles. Prints one JSON object per store (PostgreSQL is skipped if unreachable).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  buildBundle, buildRoot, buildTargets, createSigner, expiresAfter, generateKeyFile, hashToken, openStore,
  postgresReachable, signMetadata, TEST_PG_URL, TOP_ROLES, type RoleName,
} from '@auriga/ota';

const quick = process.argv.includes('--quick');
const nArg = process.argv.indexOf('--vehicles');
const VEHICLES = nArg > 0 ? Number(process.argv[nArg + 1]) : quick ? 2_000 : 10_000;
const CONCURRENCY = 64;
const ROUND_LIMIT_MS = 60_000;
const MAIN = fileURLToPath(new URL('../ota/src/cli/main.ts', import.meta.url));
const OP = 'bench-operator-token';

async function runFor(kind: 'sqlite' | 'postgres') {
  const dir = await mkdtemp(join(tmpdir(), `ota-checkin-${kind}-`));
  const schema = `ota_bench_${randomBytes(4).toString('hex')}`;
  const storeUrl = kind === 'sqlite' ? `sqlite:${join(dir, 'ota.db')}` : `${TEST_PG_URL}?schema=${schema}`;
  const keys = Object.fromEntries(TOP_ROLES.map((r) => [r, generateKeyFile()])) as Record<RoleName, ReturnType<typeof generateKeyFile>>;
  for (const r of TOP_ROLES) await writeFile(join(dir, `${r}.json`), JSON.stringify(keys[r]));
  await writeFile(join(dir, 'server.json'), JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 }, store: storeUrl, bundleDir: 'bundles',
    onlineKeys: { snapshot: ['snapshot.json'], timestamp: ['timestamp.json'], director: ['director.json'] },
    operatorTokenHashes: [hashToken(OP)], campaignTickS: 3600,
  }));

  // Register the fleet straight into the store (the API would do the same, one request each).
  const tokens: string[] = [];
  const store = await openStore(storeUrl);
  const t0 = performance.now();
  for (let i = 0; i < VEHICLES; i++) {
    const token = `avt_bench_${i}_${randomBytes(8).toString('hex')}`;
    tokens.push(token);
    await store.addVehicle({ id: `car-${i}`, group: 'fleet', hardwareId: 'hu-a1', tokenHash: hashToken(token), createdAt: Date.now() });
  }
  const registerMs = performance.now() - t0;
  await store.close();

  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--config', join(dir, 'server.json')], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start\n${stderr}`)), 30_000);
      // The server logs one JSON line with its URL once it listens.
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /"url":"([^"]+)"/.exec(line);
        if (m) { clearTimeout(timer); resolve(m[1]!); }
      });
      child.once('exit', (code) => reject(new Error(`server exited ${code}\n${stderr}`)));
    });
    const op = async (method: string, path: string, body?: unknown, raw?: Buffer) => {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${OP}`, 'content-type': raw ? 'application/octet-stream' : 'application/json' },
        body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const json = await res.json() as unknown;
      if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
      return json;
    };
    const now = Date.now();
    const root = buildRoot({ version: 1, expires: expiresAfter(now, 86_400 * 30), roles: Object.fromEntries(TOP_ROLES.map((r) => [r, { keys: [createSigner(keys[r]).publicKey], threshold: 1 }])) as never });
    await op('PUT', '/api/v1/metadata/root', signMetadata(root, [createSigner(keys.root)]));
    await mkdir(join(dir, 'src'));
    await writeFile(join(dir, 'src', 'model.onnx'), randomBytes(64 * 1024));
    const built = await buildBundle({ sourceDir: join(dir, 'src'), outFile: join(dir, 'b.bundle'), manifest: { name: 'speech', version: '1.0.0', kind: 'speech-model', supports: { serviceVersions: '^0.1.0', hardware: ['hu-a1'] }, acceptance: {} } });
    await op('PUT', '/api/v1/bundles', undefined, await readFile(built.path));
    await op('PUT', '/api/v1/metadata/targets', signMetadata(buildTargets(1, expiresAfter(now, 86_400 * 30), { 'speech-1.0.0.bundle': built.target }), [createSigner(keys.targets)]));
    await op('POST', '/api/v1/campaigns', { name: 'bench', releaseId: 'speech-1.0.0.bundle', selector: { group: 'fleet' }, stages: [{ percent: 100, failureThreshold: 1 }] });

    const round = async () => {
      let next = 0;
      let errors = 0;
      let assigned = 0;
      const latencies: number[] = [];
      const started = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < VEHICLES && performance.now() - started < ROUND_LIMIT_MS) {
          const token = tokens[next++]!;
          const t = performance.now();
          const res = await fetch(`${url}/api/v1/vehicle/check-in`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ serviceVersion: '0.1.0', rootVersion: 1, installed: {} }),
          });
          const body = await res.json() as { assignment: unknown };
          latencies.push(performance.now() - t);
          if (!res.ok) errors++;
          else if (body.assignment) assigned++;
        }
      }));
      const ms = performance.now() - started;
      latencies.sort((a, b) => a - b);
      return {
        checkIns: latencies.length, errors, withAssignment: assigned, seconds: Number((ms / 1000).toFixed(2)),
        perSecond: Math.round(latencies.length / (ms / 1000)),
        p50Ms: Number(latencies[Math.floor(latencies.length * 0.5)]!.toFixed(1)),
        p99Ms: Number(latencies[Math.floor(latencies.length * 0.99)]!.toFixed(1)),
        bounded: latencies.length < VEHICLES,
      };
    };
    const first = await round();
    const second = await round();
    return { store: kind, vehicles: VEHICLES, concurrency: CONCURRENCY, registerSeconds: Number((registerMs / 1000).toFixed(1)), firstCheckIn: first, steadyState: second };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
  }
}

const results: unknown[] = [await runFor('sqlite')];
if (await postgresReachable()) results.push(await runFor('postgres'));
else results.push({ store: 'postgres', skipped: 'PostgreSQL at 127.0.0.1:5432 is unreachable' });
console.log(JSON.stringify({ bench: 'ota-checkin', quick, results }, null, 2));
