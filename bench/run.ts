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
  const result = lastJsonValue(res.stdout);
  if (res.status !== 0 || !result) {
    failed = true;
    process.stdout.write(JSON.stringify({ bench: name, error: `exit ${res.status}`, output: res.stdout.slice(-2000) }) + '\n');
    continue;
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  if (result.pass === false) failed = true;
}
process.exitCode = failed ? 1 : 0;

/** The bench's result: the whole output as JSON (pretty-printed), else its last line that parses as an object. */
function lastJsonValue(stdout: string): Record<string, unknown> | undefined {
  const parse = (text: string) => {
    try {
      const v: unknown = JSON.parse(text);
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const whole = parse(stdout.trim());
  if (whole) return whole;
  const start = stdout.lastIndexOf('\n{');
  const tail = start >= 0 ? parse(stdout.slice(start + 1).trim()) : undefined;
  if (tail) return tail;
  for (const line of stdout.trim().split('\n').reverse()) {
    const v = parse(line.trim());
    if (v) return v;
  }
  return undefined;
}
