import { defineError } from '@auriga/common';

/** Errors of the in-car OTA agent. Their messages are what the agent reports to the fleet server as the reason. */
export const OtaAgentErrors = {
  diskFull: defineError('AURIGA_ERR_OTAAGENT_DISK_FULL', 507, (what: string) => `disk full: ${what}`),
  tooLarge: defineError('AURIGA_ERR_OTAAGENT_TOO_LARGE', 507, (target: string, bytes: number, limit: number) => `${target} is ${bytes} bytes, over the download limit of ${limit} bytes`),
  http: defineError('AURIGA_ERR_OTAAGENT_HTTP', 502, (what: string, status: number, body: string) => `${what}: server answered ${status}${body ? ` (${body.slice(0, 200)})` : ''}`),
  unreachable: defineError('AURIGA_ERR_OTAAGENT_UNREACHABLE', 503, (what: string, cause: string) => `${what}: server unreachable (${cause})`),
  timeout: defineError('AURIGA_ERR_OTAAGENT_TIMEOUT', 504, (what: string, ms: number) => `${what}: no answer within ${ms} ms`),
  acceptance: defineError('AURIGA_ERR_OTAAGENT_ACCEPTANCE', 422, (what: string) => `acceptance test failed: ${what}`),
  health: defineError('AURIGA_ERR_OTAAGENT_HEALTH', 500, (what: string) => `health check after the switch failed: ${what}`),
  noHandler: defineError('AURIGA_ERR_OTAAGENT_NO_HANDLER', 422, (kind: string) => `this car has no handler for models of kind ${kind}`),
  badState: defineError('AURIGA_ERR_OTAAGENT_STATE', 500, (file: string, what: string) => `OTA state file ${file} is unusable: ${what}`),
  noConsent: defineError('AURIGA_ERR_OTAAGENT_NO_CONSENT', 409, (what: string) => what),
  noModel: defineError('AURIGA_ERR_OTAAGENT_NO_MODEL', 503, (kind: string) => `no model of kind ${kind} is loaded`),
  closed: defineError('AURIGA_ERR_OTAAGENT_CLOSED', 503, () => 'the OTA agent is closed'),
};
