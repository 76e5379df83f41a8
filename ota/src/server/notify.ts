import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { createTopics } from '@auriga/common';

/**
 * Tells cars "check in now" when the server created or changed their assignment, so an update does not
 * wait for the next poll. Best effort by design: a notification carries nothing (the car still gets
 * everything through its signed check-in), so a lost one only means the car finds the work at its next poll.
 */
export interface AssignmentNotifier {
  /** Never throws and never waits for the broker. */
  notify(vehicleIds: readonly string[], why: string): void;
  close(): Promise<void>;
}

export interface MqttNotifierOptions {
  /** `mqtt://host:1883` (or mqtts://, ws://). */
  url: string;
  /** The fleet's topic root, e.g. `auriga/v1`: cars listen on `{root}/ota/notify/{vehicleId}`. */
  topicRoot: string;
  logger: Logger;
  /** Extra mqtt.js options (credentials, TLS, client id). */
  clientOptions?: IClientOptions;
}

/**
 * Publishes one empty QoS 1 message per vehicle to `{root}/ota/notify/{vehicleId}` (the topic a car
 * subscribes to; see common/src/mqtt/topics.ts). While the broker is unreachable nothing is queued: the
 * notifications are dropped with a log line, because the cars poll anyway and a burst of stale pushes after
 * a reconnect would only cause a thundering herd of check-ins.
 */
export function mqttAssignmentNotifier(opts: MqttNotifierOptions): AssignmentNotifier & { readonly connected: boolean } {
  const topics = createTopics(opts.topicRoot);
  const log = opts.logger;
  const client: MqttClient = mqtt.connect(opts.url, {
    reconnectPeriod: 5000,
    connectTimeout: 10_000,
    clientId: `auriga-ota-server-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
    ...opts.clientOptions,
  });
  let lastError = '';
  client.on('error', (err) => {
    // mqtt.js reconnects by itself; log each distinct problem once instead of every 5 s.
    if (err.message !== lastError) log.warn({ err, url: opts.url }, 'OTA push: MQTT broker error; cars fall back to polling');
    lastError = err.message;
  });
  client.on('connect', () => {
    lastError = '';
    log.info({ url: opts.url, topicRoot: opts.topicRoot }, 'OTA push: connected to the MQTT broker');
  });
  let closed = false;
  return {
    get connected() { return client.connected; },
    notify(vehicleIds, why) {
      if (closed || vehicleIds.length === 0) return;
      if (!client.connected) {
        log.warn({ vehicles: vehicleIds.length, why }, 'OTA push skipped: MQTT broker not connected; the cars will find the work at their next poll');
        return;
      }
      const ids = [...new Set(vehicleIds)];
      let failed = 0;
      let pending = ids.length;
      for (const id of ids) {
        let topic: string;
        try {
          topic = topics.otaNotifyVehicle(id);
        } catch (err) {
          log.warn({ err, vehicle: id }, 'OTA push: no topic for this vehicle id');
          pending -= 1;
          continue;
        }
        client.publish(topic, '', { qos: 1 }, (err) => {
          if (err) failed += 1;
          pending -= 1;
          if (pending === 0 && failed > 0) log.warn({ err, failed, vehicles: vehicleIds.length, why }, 'OTA push: some notifications were not delivered to the broker');
        });
      }
      log.debug({ vehicles: ids.length, why }, 'OTA push sent');
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.endAsync(true).catch(() => undefined);
    },
  };
}
