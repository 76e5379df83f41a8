// Runs a TypeScript CLI entry through tsx in a child process (the packages ship TypeScript source;
// no build step), forwarding arguments, signals and the exit status. Used by every package's bin.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** @param {URL} entry the .ts file to run */
export function launchTs(entry) {
  // Resolved from this package, not from the caller's working directory.
  const tsx = import.meta.resolve('tsx');
  const child = spawn(process.execPath, ['--import', tsx, fileURLToPath(entry), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    if (signal) {
      // Die of the same signal, so the caller sees what happened to the child.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}
