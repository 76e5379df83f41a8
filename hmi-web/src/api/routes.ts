/**
 * Every route the HMI uses, in one place. The foundation routes exist today; the ones marked
 * "later" come with the speech, assistant and OTA issues: the client reports them as not
 * available (a 404 "no route") until the service has them, and the screens say so.
 */
export const ROUTES = {
  signals: '/v1/signals',
  signal: (path: string) => `/v1/signals/${encodeURIComponent(path)}`,
  history: (path: string) => `/v1/signals/${encodeURIComponent(path)}/history`,
  catalog: '/v1/catalog',
  health: '/healthz',
  stream: '/v1/stream',
  /** later: assistant issue. */
  text: '/v1/text',
  assistantTurns: '/v1/assistant/turns',
  /** later: speech issue. WebSocket; a plain GET answers 426 when it exists, 404 when not. */
  voiceStream: '/v1/voice/stream',
  /** later: assistant issue. */
  context: '/v1/context',
  trips: '/v1/trips',
  tripSummary: (id: string, lang: string) => `/v1/trips/${encodeURIComponent(id)}/summary?lang=${encodeURIComponent(lang)}`,
  /** later: OTA issue (in-car agent status and the driver's consent). */
  ota: '/v1/ota/status',
  otaConsent: '/v1/ota/consent',
} as const;

/** ws://host/path for a page served from http://host (wss for https). */
export function webSocketUrl(path: string, location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}
