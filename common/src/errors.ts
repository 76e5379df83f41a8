/**
 * One catalogue of coded errors, in the manner of fastify's FST_ERR_*: every error the project
 * raises on purpose has a stable code `AURIGA_ERR_<AREA>_<WHAT>`, an HTTP status for the API, and
 * an optional cause. Packages add their own codes with `defineError` in their `errors.ts`.
 */
export class AurigaError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AurigaError';
  }
}

export type ErrorFactory<A extends unknown[]> = ((...args: [...A, { cause?: unknown }?]) => AurigaError) & {
  readonly code: string;
  readonly statusCode: number;
};

/** `defineError('AURIGA_ERR_DBC_SYNTAX', 400, (line: number, what: string) => \`line ${line}: ${what}\`)` */
export function defineError<A extends unknown[]>(
  code: string,
  statusCode: number,
  format: (...args: A) => string,
): ErrorFactory<A> {
  if (!/^AURIGA_ERR_[A-Z0-9]+_[A-Z0-9_]+$/.test(code)) throw new Error(`bad error code ${code}`);
  const factory = (...args: [...A, { cause?: unknown }?]) => {
    const last = args[args.length - 1];
    const hasOptions = args.length > format.length && typeof last === 'object' && last !== null;
    const fmtArgs = (hasOptions ? args.slice(0, -1) : args) as unknown as A;
    return new AurigaError(code, format(...fmtArgs), statusCode, hasOptions ? (last as { cause?: unknown }) : undefined);
  };
  return Object.assign(factory, { code, statusCode });
}

export function isAurigaError(err: unknown, code?: string): err is AurigaError {
  return err instanceof AurigaError && (code === undefined || err.code === code);
}

/** DBC parsing and frame codec (common/src/dbc/). */
export const DbcErrors = {
  /** A DBC file that cannot be read; the message starts with `file:line:`. */
  syntax: defineError('AURIGA_ERR_DBC_SYNTAX', 400, (file: string, line: number, what: string) => `${file}:${line}: ${what}`),
  unknownMessage: defineError('AURIGA_ERR_DBC_UNKNOWN_MESSAGE', 404, (name: string) => `the DBC has no message "${name}"`),
  unknownSignal: defineError('AURIGA_ERR_DBC_UNKNOWN_SIGNAL', 400, (message: string, signal: string, known: readonly string[]) =>
    `message ${message} has no signal "${signal}" (signals: ${known.join(', ') || 'none'})`),
  unusableSignal: defineError('AURIGA_ERR_DBC_UNUSABLE_SIGNAL', 400, (message: string, signal: string, why: string) =>
    `signal ${message}.${signal} cannot be encoded: ${why}`),
};

/** candump -L log lines (common/src/candump/). */
export const CandumpErrors = {
  /** A line that is not a candump -L frame; the message starts with `source:line:`. */
  syntax: defineError('AURIGA_ERR_CANDUMP_SYNTAX', 400, (source: string, line: number, what: string) => `${source}:${line}: ${what}`),
};

/** DBC <-> VSS mapping files (common/src/mapping/). */
export const MappingErrors = {
  /**
   * A mapping file that does not fit its DBC or the signal catalog. The message lists every problem as
   * `file:line: what`; the same problems are on the error's `issues` property.
   */
  invalid: defineError('AURIGA_ERR_MAPPING_INVALID', 400, (file: string, issues: readonly { line: number; message: string }[]) =>
    issues.length === 1
      ? `${file}:${issues[0]!.line}: ${issues[0]!.message}`
      : `${file}: ${issues.length} problems\n${issues.map((i) => `  ${file}:${i.line}: ${i.message}`).join('\n')}`),
};

/** The auriga-can command line tool (common/src/cli/). */
export const CanCliErrors = {
  usage: defineError('AURIGA_ERR_CLI_USAGE', 400, (what: string) => `${what} (see auriga-can --help)`),
  badValue: defineError('AURIGA_ERR_CLI_BAD_VALUE', 400, (what: string) => what),
  io: defineError('AURIGA_ERR_CLI_IO', 500, (file: string, why: string) => `cannot read ${file}: ${why}`),
};
