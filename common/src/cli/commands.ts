/**
 * auriga-can: check a DBC, decode a candump log with it, or encode one frame. The logic takes its
 * streams as arguments so tests can run it in-process; auriga-can.ts wires it to the process.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { formatCandumpLine, readCandumpLog } from '../candump/candump.js';
import { createDbcCodec } from '../dbc/dbc-codec.js';
import { parseDbc } from '../dbc/parser.js';
import type { Dbc } from '../dbc/types.js';
import { AurigaError, CanCliErrors, DbcErrors } from '../errors.js';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Seconds since the epoch, for `encode` without --time. */
  now?: () => number;
}

export const EXIT_OK = 0;
/** The DBC or the log cannot be read. */
export const EXIT_INPUT = 1;
/** Bad command line: unknown option, message, signal or a value that does not fit. */
export const EXIT_USAGE = 2;

export const HELP = `auriga-can - check DBC files, decode candump logs, encode CAN frames

Usage:
  auriga-can check FILE.dbc
      Parse the DBC and print a JSON summary:
      {"file","version","messages","signals","multiplexedSignals","extendedIds","fdMessages",
       "unusableSignals","warnings":[{"line","message"}]}
      Exit 0 when it parses (warnings included), 1 with {"error":{code,message,line}} on stderr when not.

  auriga-can decode --dbc FILE.dbc [--known-only] [LOG]
      Read a candump -L log (LOG, or stdin when absent or "-") and print one JSON line per frame:
      {"t":1436509052.249713,"bus":"can0","id":"0x1A0","name":"MSG","signals":{"Speed":12.5,...}}
      Values are physical (raw * factor + offset); enumerated signals print their number.
      "id" is hex as candump writes it: 3 digits for 11-bit ids ("0x1A0"), 8 for 29-bit extended
      ids ("0x18FEF100"). Frames the DBC does not define print "name":null and "signals":{}, or are
      left out with --known-only. Multiplexed signals appear only when their multiplexer selects them.

  auriga-can encode --dbc FILE.dbc --message NAME [--bus can0] [--time SECONDS] SIGNAL=VALUE...
      Print one candump -L line. VALUE is a physical number or a VAL_ label of the signal.
      Signals not given take their GenSigStartValue, else raw 0; a multiplexer not given takes the
      value selecting the multiplexed signals given. --time defaults to now.

Exit codes: 0 ok, 1 unreadable DBC or log, 2 bad command line (unknown message or signal, value out of range).
Errors are printed to stderr as {"error":{"code","message","line"?}}.
`;

export async function runAurigaCan(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      io.stderr.write(HELP);
      return EXIT_USAGE;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(HELP);
      return EXIT_OK;
    }
    switch (command) {
      case 'check': return await check(rest, io);
      case 'decode': return await decode(rest, io);
      case 'encode': return await encode(rest, io);
      default: throw CanCliErrors.usage(`unknown command "${command}"; commands: check, decode, encode`);
    }
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: CliIo): number {
  let code: string;
  let exit: number;
  if (err instanceof AurigaError) {
    code = err.code;
    exit = ['AURIGA_ERR_CLI_USAGE', 'AURIGA_ERR_CLI_BAD_VALUE', DbcErrors.unknownMessage.code, DbcErrors.unknownSignal.code,
      DbcErrors.unusableSignal.code].includes(code) ? EXIT_USAGE : EXIT_INPUT;
  } else if (err instanceof RangeError) {
    code = CanCliErrors.badValue.code;
    exit = EXIT_USAGE;
  } else if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
    code = CanCliErrors.usage.code;
    exit = EXIT_USAGE;
  } else {
    code = 'AURIGA_ERR_CLI_INTERNAL';
    exit = EXIT_INPUT;
  }
  const error: { code: string; message: string; line?: number } = { code, message: err instanceof Error ? err.message : String(err) };
  const line = (err as { line?: unknown }).line;
  if (typeof line === 'number') error.line = line;
  io.stderr.write(`${JSON.stringify({ error })}\n`);
  return exit;
}

async function loadDbc(file: string): Promise<Dbc> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw CanCliErrors.io(file, (err as Error).message, { cause: err });
  }
  return parseDbc(text, { fileName: file });
}

async function check(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw CanCliErrors.usage('check takes exactly one DBC file');
  const file = positionals[0]!;
  const dbc = await loadDbc(file);
  const signals = dbc.messages.flatMap((m) => m.signals);
  const summary = {
    file,
    version: dbc.version,
    messages: dbc.messages.length,
    signals: signals.length,
    multiplexedSignals: signals.filter((s) => s.multiplexValue !== undefined).length,
    extendedIds: dbc.messages.filter((m) => m.extended).length,
    fdMessages: dbc.messages.filter((m) => m.fd).length,
    unusableSignals: signals.filter((s) => s.unusable).length,
    warnings: dbc.warnings,
  };
  io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return EXIT_OK;
}

/** Batches output lines and honours backpressure, so decoding a large log keeps memory flat. */
class LineWriter {
  private buffer: string[] = [];
  private size = 0;
  constructor(private readonly out: NodeJS.WritableStream) {}
  async write(line: string): Promise<void> {
    this.buffer.push(line);
    this.size += line.length;
    if (this.size >= 64 * 1024) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
}

async function decode(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { dbc: { type: 'string' }, 'known-only': { type: 'boolean', default: false } },
  });
  if (!values.dbc) throw CanCliErrors.usage('decode needs --dbc FILE.dbc');
  if (positionals.length > 1) throw CanCliErrors.usage('decode reads one log file (or stdin)');
  const codec = createDbcCodec(await loadDbc(values.dbc));
  const logFile = positionals[0];
  const fromStdin = logFile === undefined || logFile === '-';
  const input = fromStdin ? io.stdin : createReadStream(logFile);
  if (!fromStdin) {
    // Surface a missing file as a CLI error rather than an unhandled stream error.
    await new Promise<void>((resolve, reject) => {
      (input as ReturnType<typeof createReadStream>).once('open', () => resolve()).once('error', (err) => reject(CanCliErrors.io(logFile, err.message)));
    });
  }
  const out = new LineWriter(io.stdout);
  try {
    for await (const frame of readCandumpLog(input, { source: fromStdin ? '<stdin>' : logFile })) {
      const decoded = codec.decodeFrame(frame);
      if (!decoded && values['known-only']) continue;
      const id = `0x${frame.id.toString(16).toUpperCase().padStart(frame.extended ? 8 : 3, '0')}`;
      await out.write(
        `{"t":${frame.timestamp},"bus":${JSON.stringify(frame.bus ?? null)},"id":"${id}","name":${
          decoded ? JSON.stringify(decoded.message.name) : 'null'},"signals":${decoded ? JSON.stringify(decoded.signals) : '{}'}}\n`,
      );
    }
  } finally {
    await out.flush();
  }
  return EXIT_OK;
}

async function encode(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dbc: { type: 'string' },
      message: { type: 'string' },
      bus: { type: 'string', default: 'can0' },
      time: { type: 'string' },
    },
  });
  if (!values.dbc) throw CanCliErrors.usage('encode needs --dbc FILE.dbc');
  if (!values.message) throw CanCliErrors.usage('encode needs --message NAME');
  const codec = createDbcCodec(await loadDbc(values.dbc));
  const message = codec.messageByName(values.message);
  if (!message) throw DbcErrors.unknownMessage(values.message);
  let timestamp = (io.now ?? (() => Date.now() / 1000))();
  if (values.time !== undefined) {
    timestamp = Number(values.time);
    if (values.time.trim() === '' || !Number.isFinite(timestamp)) throw CanCliErrors.usage(`--time "${values.time}" is not a number of seconds`);
  }
  const signalValues: Record<string, number> = {};
  for (const assignment of positionals) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw CanCliErrors.usage(`"${assignment}" is not SIGNAL=VALUE`);
    const name = assignment.slice(0, eq);
    const text = assignment.slice(eq + 1).trim();
    const signal = message.signals.find((s) => s.name === name);
    if (!signal) throw DbcErrors.unknownSignal(message.name, name, message.signals.map((s) => s.name));
    let value = text === '' ? NaN : Number(text);
    if (Number.isNaN(value) && signal.choices) {
      for (const [raw, label] of signal.choices) if (label === text) value = raw * signal.factor + signal.offset;
    }
    if (Number.isNaN(value)) {
      const labels = signal.choices ? ` or one of ${[...signal.choices.values()].map((l) => JSON.stringify(l)).join(', ')}` : '';
      throw CanCliErrors.badValue(`${message.name}.${name}: "${text}" is not a number${labels}`);
    }
    signalValues[name] = value;
  }
  const frame = codec.encodeFrame(message.name, signalValues, timestamp);
  frame.bus = values.bus;
  io.stdout.write(`${formatCandumpLine(frame)}\n`);
  return EXIT_OK;
}
