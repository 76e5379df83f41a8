#!/usr/bin/env node
// Launcher for the `auriga` CLI: runs the TypeScript source through tsx (no build step) and forwards
// the exit code. Usage: auriga intent --context FILE.yaml AUDIO.wav... | --mic [--device DEV] [--max-seconds N]
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'src', 'speech', 'cli.ts');
const child = spawn(process.execPath, ['--import', 'tsx', cli, ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl+C reaches the CLI directly (same process group): wait for it (with --mic it finishes the command
// being spoken before it exits). SIGTERM sent to this launcher alone is passed on.
const onSigint = () => {};
const onSigterm = () => child.kill('SIGTERM');
process.on('SIGINT', onSigint);
process.on('SIGTERM', onSigterm);
child.on('exit', (code, signal) => {
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
child.on('error', (err) => {
  process.stderr.write(`auriga: ${err.message}\n`);
  process.exit(1);
});
