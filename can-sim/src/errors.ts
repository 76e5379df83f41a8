import { defineError } from '@auriga/common';

/** Every error can-sim raises on purpose. */
export const SimErrors = {
  unknownScenario: defineError(
    'AURIGA_ERR_SIM_UNKNOWN_SCENARIO',
    400,
    (name: string, known: readonly string[]) => `unknown scenario "${name}" (known: ${known.join(', ')})`,
  ),
  badOption: defineError('AURIGA_ERR_SIM_BAD_OPTION', 400, (option: string, why: string) => `option ${option}: ${why}`),
  badFault: defineError('AURIGA_ERR_SIM_BAD_FAULT', 400, (why: string) => `invalid fault: ${why}`),
  badControl: defineError('AURIGA_ERR_SIM_BAD_CONTROL', 400, (why: string) => `invalid sim/control command: ${why}`),
  dbcMismatch: defineError(
    'AURIGA_ERR_SIM_DBC_MISMATCH',
    500,
    (what: string) => `the DBC does not define what the simulated car needs: ${what}`,
  ),
  mqttConnect: defineError(
    'AURIGA_ERR_SIM_MQTT_CONNECT',
    503,
    (url: string, why: string) => `cannot connect to the MQTT broker at ${url}: ${why}`,
  ),
  replayInput: defineError('AURIGA_ERR_SIM_REPLAY_INPUT', 400, (file: string, why: string) => `cannot replay ${file}: ${why}`),
  stopped: defineError('AURIGA_ERR_SIM_STOPPED', 409, (what: string) => `simulator is stopped: ${what}`),
};
