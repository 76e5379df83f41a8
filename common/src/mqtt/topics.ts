/**
 * The MQTT topic layout shared by can-sim, vehicle-service and the tests.
 * Every topic starts with a root that carries a version (default `auriga/v1`), so the layout can
 * evolve without breaking old cars and so tests sharing one broker can each use their own root.
 *
 *   {root}/can/{bus}/frames   car -> world     binary frame batch (see frame-batch.ts), QoS 0
 *   {root}/can/{bus}/tx       world -> car     binary frame batch to put on the bus (actuator requests), QoS 1
 *   {root}/sim/status         sim -> world     retained JSON status; {"state":"offline"} via last will
 *   {root}/sim/control        world -> sim     JSON control command
 *   {root}/service/status     service -> world retained JSON status; {"state":"offline"} via last will
 *   {root}/bridge/{iface}/status  bridge -> world retained JSON status of a CAN-to-MQTT bridge (auriga-sim bridge);
 *                                 {"state":"offline"} via last will
 *   {root}/ota/notify         fleet -> cars    "check in now" for every car (payload ignored)
 *   {root}/ota/notify/{id}    fleet -> car     "check in now" for one vehicle id (payload ignored)
 */
export const DEFAULT_TOPIC_ROOT = 'auriga/v1';
export const DEFAULT_BUS = 'can0';

export interface Topics {
  readonly root: string;
  frames(bus?: string): string;
  tx(bus?: string): string;
  readonly allFrames: string;
  readonly allTx: string;
  readonly simStatus: string;
  readonly simControl: string;
  readonly serviceStatus: string;
  /** Retained status of the CAN-to-MQTT bridge on one SocketCAN interface (`auriga-sim bridge`). */
  bridgeStatus(iface: string): string;
  /** OTA push: every car under this root should check in with the fleet server now. */
  readonly otaNotify: string;
  /** OTA push for one vehicle. */
  otaNotifyVehicle(vehicleId: string): string;
  /** The bus name of a frames or tx topic under this root, or undefined when the topic is not one. */
  busOf(topic: string): string | undefined;
}

export function createTopics(root: string = DEFAULT_TOPIC_ROOT): Topics {
  if (!root || root.endsWith('/') || /[#+]/.test(root)) throw new Error(`invalid MQTT topic root "${root}"`);
  const can = `${root}/can/`;
  return {
    root,
    frames: (bus = DEFAULT_BUS) => `${can}${bus}/frames`,
    tx: (bus = DEFAULT_BUS) => `${can}${bus}/tx`,
    allFrames: `${can}+/frames`,
    allTx: `${can}+/tx`,
    simStatus: `${root}/sim/status`,
    simControl: `${root}/sim/control`,
    serviceStatus: `${root}/service/status`,
    bridgeStatus: (iface) => {
      if (!iface || /[#+/]/.test(iface)) throw new Error(`invalid interface name "${iface}" for an MQTT topic`);
      return `${root}/bridge/${iface}/status`;
    },
    otaNotify: `${root}/ota/notify`,
    otaNotifyVehicle: (vehicleId) => {
      if (!vehicleId || /[#+/]/.test(vehicleId)) throw new Error(`invalid vehicle id "${vehicleId}" for an MQTT topic`);
      return `${root}/ota/notify/${vehicleId}`;
    },
    busOf(topic) {
      if (!topic.startsWith(can)) return undefined;
      const rest = topic.slice(can.length).split('/');
      if (rest.length !== 2 || (rest[1] !== 'frames' && rest[1] !== 'tx') || !rest[0]) return undefined;
      return rest[0];
    },
  };
}
