/** Entry point of the auriga-can command (see commands.ts for what it does, or run it with --help). */
import { runAurigaCan } from './commands.js';

// Reading into a closed pipe (`auriga-can decode ... | head`) is a normal way to stop, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

process.exitCode = await runAurigaCan(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
