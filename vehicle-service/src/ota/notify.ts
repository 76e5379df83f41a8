import type { MqttClient } from 'mqtt';

/** Where push notifications ("check now") come from. The agent only needs to be called back. */
export interface NotifySource {
  /** Subscribes to `topics`; returns the unsubscribe function. Must not throw when the broker is away. */
  subscribe(topics: readonly string[], onMessage: (topic: string) => void): () => void;
}

/**
 * A NotifySource over an mqtt.js client. Subscribes again on every reconnect (the service's client uses a
 * clean session). The payload is ignored: a notification only says "check in now"; everything the car
 * installs still comes through the signed check-in.
 */
export function mqttNotifySource(client: MqttClient): NotifySource {
  return {
    subscribe(topics, onMessage) {
      const wanted = new Set(topics);
      const sub = () => { client.subscribe([...wanted], { qos: 1 }, () => undefined); };
      const onMsg = (topic: string) => { if (wanted.has(topic)) onMessage(topic); };
      client.on('connect', sub);
      client.on('message', onMsg);
      if (client.connected) sub();
      return () => {
        client.off('connect', sub);
        client.off('message', onMsg);
        if (client.connected) client.unsubscribe([...wanted], () => undefined);
      };
    },
  };
}
