import { defineError } from '@auriga/common';

/**
 * Error codes of the assistant. They live here rather than in vehicle-service/src/errors.ts because
 * this folder is owned separately; the lead may fold them into the package catalogue.
 */

/** A turn the assistant cannot take: empty or too long text, unknown language or seat. */
export const AssistantInputError = defineError('AURIGA_ERR_ASSISTANT_INPUT', 400, (what: string) => what);
