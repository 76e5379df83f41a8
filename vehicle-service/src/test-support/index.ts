/**
 * Helpers for tests and benches (subpath export `@auriga/vehicle-service/testing`), never used by
 * the service itself: an in-memory store, a fake ECU, a minimal car on MQTT, a cuttable TCP proxy.
 */
export { MemoryStore } from './memory-store.js';
export { FakeEcu, type EcuBehaviour, type DecodedRequest } from './fake-ecu.js';
export { startMqttEcu, type MqttEcu, type MqttEcuOptions } from './mqtt-ecu.js';
export { startTcpProxy, type TcpProxy } from '@auriga/common/testing';
export { createHarness } from './harness.js';
