/**
 * `npm run bench [-- --quick] [-- NAME...]`: runs the benchmarks one after another, each in its own
 * process (so one's JIT state and heap never colour another's), and prints each one's JSON result
 * as a line. Exit code 1 when a bench fails to run or reports `"pass": false`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .filter((name) => only.length === 0 || only.includes(name));

let failed = false;
for (const name of benches) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${name}.ts`, ...(quick ? ['--quick'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lastJson = res.stdout.trim().split('\n').reverse().find((l) => l.trim().startsWith('{'));
  if (res.status !== 0 || !lastJson) {
    failed = true;
    process.stdout.write(JSON.stringify({ bench: name, error: `exit ${res.status}`, output: res.stdout.slice(-2000) }) + '\n');
    continue;
  }
  process.stdout.write(lastJson.trim() + '\n');
  try {
    if ((JSON.parse(lastJson) as { pass?: boolean }).pass === false) failed = true;
  } catch {
    // multi-line JSON: printed as is
  }
}
process.exitCode = failed ? 1 : 0;
