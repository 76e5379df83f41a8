export { MqttTransport, OFFLINE_STATUS, type MqttTransportEvents, type MqttTransportOptions } from './mqtt-transport.js';
