import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The command the bridge runs for `--candump IFACE`. `-L` is the log format the bridge parses (it
 * always carries the absolute time of reception, so no `-t`); no `-e`, error frames are not bridged.
 * candump's stdout is a pipe here, which glibc buffers in 4 KiB blocks: `stdbuf -oL` makes it
 * line-buffered so frames are not held back for hundreds of milliseconds on a quiet bus.
 */
export function candumpCommand(iface: string, candump = 'candump'): { command: string; args: string[] } {
  return { command: 'stdbuf', args: ['-oL', candump, '-L', iface] };
}

export interface CandumpProcess {
  child: ChildProcess;
  stdout: NodeJS.ReadableStream;
  /** Resolves with a description of why candump ended (exit code, signal, or start failure). */
  exited: Promise<string>;
}

/** Spawns candump on `iface` (no shell); its stderr goes to `onStderr` line by line. */
export function spawnCandump(iface: string, onStderr: (line: string) => void, candump = 'candump'): CandumpProcess {
  const { command, args } = candumpCommand(iface, candump);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let errText = '';
  child.stderr!.on('data', (d: Buffer) => {
    errText += d.toString();
    const lines = errText.split('\n');
    errText = lines.pop()!;
    for (const line of lines) if (line.trim()) onStderr(line);
  });
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code === 'ENOENT' ? `${command} not found` : `cannot start ${command}: ${err.message}`));
    child.once('close', (code, signal) => {
      if (errText.trim()) onStderr(errText.trim());
      // 127: stdbuf could not find candump.
      resolve(code === 127 ? `${candump} not found: install can-utils (apt-get install can-utils)` : `candump exited with ${code ?? signal}`);
    });
  });
  return { child, stdout: child.stdout!, exited };
}
