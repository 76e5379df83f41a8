import type { CanFrame } from '@auriga/common';
import { SimErrors } from '../errors.js';

/** One CAN id the bridge may transmit: standard (11-bit) and extended (29-bit) ids are different ids. */
export interface AllowedId {
  id: number;
  extended: boolean;
}

/**
 * Which frames the bridge may put on the car's bus. The default refuses everything: a bridge is a
 * write path into a real vehicle network, and anyone able to publish on the broker could otherwise
 * send any frame (brake, steering, airbag ECUs share buses with the comfort ECUs on many cars).
 * Integrators list the head unit's own request message ids (`--tx-allow`), so a compromised or buggy
 * MQTT client can at worst send what the head unit may send anyway.
 */
export type TxPolicy =
  | { readonly mode: 'none' }
  | { readonly mode: 'any' }
  | { readonly mode: 'allow'; readonly ids: readonly AllowedId[] };

const key = (id: number, extended: boolean) => `${extended ? 'x' : 's'}${id}`;

function formatId(id: number, extended: boolean): string {
  return id.toString(16).toUpperCase().padStart(extended ? 8 : 3, '0');
}

/**
 * Parses an allowlist such as `"3E1,3E2,18DAF110"` (hex, optional 0x). As in candump, 1-3 hex digits
 * are an 11-bit id (at most 7FF) and exactly 8 digits a 29-bit extended id.
 */
export function parseTxAllowList(text: string, option = '--tx-allow'): AllowedId[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw SimErrors.badOption(option, 'needs at least one CAN id, e.g. 3E1,3E2');
  const ids: AllowedId[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const digits = item.replace(/^0x/i, '');
    if (!/^[0-9A-Fa-f]+$/.test(digits)) throw SimErrors.badOption(option, `"${item}" is not a hex CAN id`);
    let extended: boolean;
    if (digits.length <= 3) extended = false;
    else if (digits.length === 8) extended = true;
    else throw SimErrors.badOption(option, `"${item}": write 11-bit ids with up to 3 hex digits and 29-bit ids with 8, as candump does`);
    const id = parseInt(digits, 16);
    if (id > (extended ? 0x1fffffff : 0x7ff)) throw SimErrors.badOption(option, `"${item}" is over ${extended ? '1FFFFFFF' : '7FF'}`);
    if (seen.has(key(id, extended))) continue;
    seen.add(key(id, extended));
    ids.push({ id, extended });
  }
  return ids;
}

/** Builds the policy from the CLI options; --tx-allow and --tx-any together are refused (ambiguous intent). */
export function createTxPolicy(options: { allow?: string; any?: boolean }): TxPolicy {
  if (options.allow !== undefined && options.any) throw SimErrors.badOption('--tx-any', 'cannot be combined with --tx-allow');
  if (options.any) return { mode: 'any' };
  if (options.allow !== undefined) return { mode: 'allow', ids: parseTxAllowList(options.allow) };
  return { mode: 'none' };
}

/** Compiled check: undefined when the frame may be sent, else why not. */
export function compileTxPolicy(policy: TxPolicy): (frame: CanFrame) => string | undefined {
  switch (policy.mode) {
    case 'none':
      return () => 'transmission is disabled (no --tx-allow or --tx-any)';
    case 'any':
      return () => undefined;
    case 'allow': {
      const allowed = new Set(policy.ids.map((a) => key(a.id, a.extended)));
      return (frame) =>
        allowed.has(key(frame.id, frame.extended))
          ? undefined
          : `CAN id ${formatId(frame.id, frame.extended)} is not in the --tx-allow list`;
    }
  }
}

/** Human-readable policy for logs and the status. */
export function describeTxPolicy(policy: TxPolicy): string {
  if (policy.mode === 'allow') return `allow ${policy.ids.map((a) => formatId(a.id, a.extended)).join(',')}`;
  return policy.mode;
}
