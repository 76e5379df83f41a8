import { defineError, type AurigaError } from '@auriga/common';

/**
 * Error codes of the voice context layer. They live here rather than in vehicle-service/src/errors.ts
 * because this folder is owned separately; the lead may fold them into the package catalogue.
 */

/** A context file (ours or Rhino's) that cannot be used: the message starts with `file:line:column:`. */
export const ContextInvalidError = defineError(
  'AURIGA_ERR_CONTEXT_INVALID',
  400,
  (where: string, what: string) => `${where}: ${what}`,
);

/** A context file that cannot be read at all (missing, unreadable). */
export const ContextNotFoundError = defineError(
  'AURIGA_ERR_CONTEXT_NOT_FOUND',
  404,
  (path: string, why: string) => `cannot read context file ${path}: ${why}`,
);

/** Where a context problem is: 1-based line and column, 0 when unknown. */
export interface ContextErrorLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type LocatedContextError = AurigaError & ContextErrorLocation;

export function contextError(location: ContextErrorLocation, what: string): LocatedContextError {
  const where =
    location.line > 0
      ? `${location.file}:${location.line}${location.column > 0 ? `:${location.column}` : ''}`
      : location.file;
  const error = ContextInvalidError(where, what);
  return Object.assign(error, { file: location.file, line: location.line, column: location.column });
}
