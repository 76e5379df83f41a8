import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import mqtt from 'mqtt';
import { pino, type Logger } from 'pino';
import { createTopics } from '@auriga/common';
import { ActuationService } from './actuation/actuation-service.js';
import { buildApi, type Api } from './api/server.js';
import type { HealthDto } from './api/schemas.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded-broker.js';
import type { VehicleServiceConfig } from './config/schema.js';
import { createServiceMetrics } from './metrics/metrics.js';
import { MqttTransport } from './mqtt/transport.js';
import { SqliteStore } from './store/index.js';
import type { VehicleStore } from './store/types.js';
import { systemClock, type Clock } from './util/timers.js';
import { loadVehicleDefinition, type VehicleDefinition } from './vehicle/definition.js';
import { HistoryRecorder } from './vehicle/history-recorder.js';
import { createAssistant } from './assistant/setup.js';
import type { Assistant } from './assistant/assistant.js';
import { DEFAULT_CAR_CONTEXT_FILE } from './assistant/index.js';
import { OtaAgent, VoiceContextHandler, OnnxModelHandler, SpeechModelHandler, holderSpeechProvider, mqttNotifySource, parkedFromVehicleState, type OnnxModel, type SpeechModel, type VoiceContextModel } from './ota/index.js';
import { OtaConfigError } from './errors.js';
import { SERVICE_VERSION } from './version.js';
import { DrivingContext, SituationModel, isDrivingStore, type DrivingContextOptions } from './driving/index.js';
import { DEFAULT_MODEL_PATH as DEFAULT_SITUATION_MODEL_PATH } from './driving/situation/model.js';
import { Ingest } from './vehicle/ingest.js';
import { DEFAULT_MODEL_DIR as DEFAULT_SPEECH_MODEL_DIR, SpeechEngine, type DecoderConfig } from './speech/engine.js';
import { createVoiceTurns, singleEngineProvider, type SpeechProvider, type VoiceResponse, type VoiceTurns } from './api/routes/voice.js';
import { SileroVad } from './speech/vad/silero.js';
import { ArecordMicrophone } from './speech/audio/microphone.js';
import { MicListener } from './speech/mic-listener.js';
import { SpeechUnavailableError } from './speech/errors.js';
import { VehicleState } from './vehicle/state.js';

export interface VehicleServiceOptions {
  logger?: Logger;
  /** A ready store (tests); default: SqliteStore at {dataDir}/vehicle.db. */
  store?: VehicleStore;
  /** Default: the files named by the configuration, else the shipped car. */
  vehicle?: VehicleDefinition;
  clock?: Clock;
  /**
   * Overrides for the driving context (tests running the simulator faster than real time give it the
   * simulator's clock and wider freshness windows).
   */
  driving?: Partial<Pick<DrivingContextOptions, 'now' | 'tickMs' | 'modelFreshMs' | 'staleGraceMs'>>;
  /** Register prom-client's process metrics (default true). */
  defaultMetrics?: boolean;
}

export interface VehicleServiceHandle {
  /** http://host:port of the API. */
  readonly url: string;
  readonly port: number;
  /** The broker in use (the embedded one's URL when MQTT_URL is unset). */
  readonly mqttUrl: string;
  readonly embeddedBroker: EmbeddedBroker | undefined;
  readonly config: VehicleServiceConfig;
  readonly vehicle: VehicleDefinition;
  readonly state: VehicleState;
  readonly ingest: Ingest;
  readonly transport: MqttTransport;
  readonly actuation: ActuationService;
  readonly store: VehicleStore;
  readonly api: Api;
  readonly assistant: Assistant;
  /** Trips, situation, events, summaries, notifications. */
  readonly driving: DrivingContext;
  /** The in-car OTA agent; undefined when OTA_SERVER_URL is unset. */
  readonly ota: OtaAgent | undefined;
  /**
   * The speech engine behind /v1/voice now (with OTA on: the agent's active speech model, which an update
   * replaces); undefined when no model is loaded (voice answers 503).
   */
  readonly speech: SpeechEngine | undefined;
  /** Graceful and idempotent: stop accepting, finish in-flight requests, flush the store, close MQTT, close the broker. */
  close(): Promise<void>;
}

/** A cyclic signal is "recent" for /healthz when a frame arrived within this window. */
const FRESH_WINDOW_MS = 5000;

/** Starts the vehicle service: (embedded broker), MQTT, ingest, store, actuation, HTTP API. */
export async function startVehicleService(config: VehicleServiceConfig, options: VehicleServiceOptions = {}): Promise<VehicleServiceHandle> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const log = logger.child({ component: 'service' });
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanupAll = async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        log.error({ err }, 'error while shutting down');
      }
    }
  };

  try {
    const vehicle = options.vehicle ?? (await loadVehicleDefinition(config.vehicle));
    for (const w of vehicle.dbc.warnings) log.warn({ line: w.line, file: vehicle.dbcPath }, `DBC: ${w.message}`);

    const store =
      options.store ??
      (await SqliteStore.open(join(config.dataDir, 'vehicle.db'), {
        sampleIntervalMs: config.history.sampleIntervalMs,
        retentionMs: config.history.retentionDays * 24 * 3600 * 1000,
        logger: logger.child({ component: 'store' }),
      }));
    cleanups.push(() => store.close());

    const state = new VehicleState(vehicle.catalog.signals);
    for (const e of vehicle.mapping.entries) if (e.value !== undefined && state.has(e.path)) state.setConstant(e.path, e.value, startedAt);
    const ingest = new Ingest({ codec: vehicle.codec, mapping: vehicle.mapping, state, staleFactor: config.staleFactor, now: clock.now });

    let broker: EmbeddedBroker | undefined;
    if (!config.mqtt.url) {
      broker = await startEmbeddedBroker({ host: config.mqtt.embeddedHost, port: config.mqtt.embeddedPort, logger });
      cleanups.push(() => broker!.close());
    }
    const mqttUrl = config.mqtt.url ?? broker!.url;

    const topics = createTopics(config.mqtt.topicRoot);
    const transport = new MqttTransport({
      url: mqttUrl,
      topics,
      bus: config.can.bus,
      ...(config.mqtt.clientId ? { clientId: config.mqtt.clientId } : {}),
      reconnectMinMs: config.mqtt.reconnectMinMs,
      reconnectMaxMs: config.mqtt.reconnectMaxMs,
      keepaliveS: config.mqtt.keepaliveS,
      logger,
      clock,
      statusInfo: { service: 'vehicle-service', pid: process.pid },
    });
    cleanups.push(() => transport.close());
    let lastIngestErrorLog = 0;
    transport.on('frames', (payload) => {
      try {
        ingest.applyBatch(payload);
      } catch (err) {
        // A bug in a state listener must not take the daemon down; counted, logged at most every 10 s.
        ingest.decodeErrors++;
        const now = clock.now();
        if (now - lastIngestErrorLog > 10_000) {
          lastIngestErrorLog = now;
          log.error({ err }, 'error while applying CAN frames');
        }
      }
    });
    transport.on('disconnected', (reason) => {
      ingest.markAllStale(clock.now());
      store.recordEvent({ type: 'mqtt.disconnected', severity: 'warning', message: `lost the MQTT broker (${reason}): all signals stale`, timestamp: clock.now() });
    });
    transport.on('connected', () => {
      store.recordEvent({ type: 'mqtt.connected', severity: 'info', message: `connected to the MQTT broker ${mqttUrl}`, timestamp: clock.now() });
    });

    // Staleness is checked often enough to notice a missing message within about one cycle.
    const staleCheckMs = Math.max(20, Math.min(250, Math.floor((ingest.shortestStaleWindowMs ?? 1000) / 3)));
    const staleTimer = clock.setInterval(() => ingest.checkStaleness(clock.now()), staleCheckMs);
    cleanups.push(() => clock.clearInterval(staleTimer));

    const history = new HistoryRecorder(state, store, clock, config.history.sampleIntervalMs);
    cleanups.push(() => history.close());

    const metrics = createServiceMetrics(
      {
        ingest: () => ingest,
        mqttConnected: () => transport.connected,
        staleSignals: () => state.staleCount,
      },
      { defaultMetrics: options.defaultMetrics ?? true },
    );

    const actuation = new ActuationService({
      catalog: vehicle.catalog,
      mapping: vehicle.mapping,
      codec: vehicle.codec,
      state,
      ingest,
      sender: transport,
      store,
      policy: config.policy,
      ackTimeoutMs: config.actuation.ackTimeoutMs,
      confirmTimeoutMs: config.actuation.confirmTimeoutMs,
      travelTimeMs: config.actuation.travelTimeMs,
      clock,
      logger,
      onOutcome: (r) => metrics.recordActuation(r),
    });
    cleanups.push(() => actuation.close());

    const drivingModel = await SituationModel.load().catch((err: unknown) => {
      log.warn({ err }, 'driving-context model unavailable: the rules decide the situation');
      return undefined;
    });
    const driving = new DrivingContext({
      state,
      store: isDrivingStore(store) ? store : undefined,
      model: drivingModel,
      logger: logger.child({ component: 'driving' }),
      now: clock.now,
      ...options.driving,
    });
    // Registered before the API closes (cleanups run in reverse): saves the trip in progress before the store closes.
    cleanups.push(() => driving.destroy());

    const assistant = await createAssistant({
      state,
      catalog: vehicle.catalog,
      actuation,
      policy: config.policy,
      store,
      clock,
      logger,
      tts: config.assistant.tts,
      ...(config.assistant.contextFile ? { contextFile: config.assistant.contextFile } : {}),
    });
    cleanups.push(() => assistant.close());

    // Voice is optional: without a usable model the service runs and the voice routes answer 503.
    // With OTA on, the agent loads the speech model (the factory one, or an installed update) and the routes
    // take it per request from the agent's holder; otherwise one engine is loaded here.
    let speechUnavailable: string | undefined;
    let startEngine: SpeechEngine | undefined;
    if (!config.ota.serverUrl) {
      startEngine = await SpeechEngine.load({
        ...(config.speech.modelDir ? { modelDir: config.speech.modelDir } : {}),
        config: speechDecoderConfig(config),
        logger: logger.child({ component: 'speech' }),
      }).catch((err: unknown) => {
        speechUnavailable = `the speech model did not load (${(err as Error).message})`;
        log.error({ err, modelDir: config.speech.modelDir ?? 'models/speech/artifacts' }, 'speech engine unavailable: voice commands are off, typed commands still work');
        return undefined;
      });
      if (startEngine) cleanups.push(() => startEngine!.close());
    }

    const ota = config.ota.serverUrl ? await startOtaAgent(config, mqttUrl, topics, state, { assistant, driving }, logger, clock) : undefined;
    if (ota) cleanups.push(() => ota.destroy());
    const speechHolder = ota?.holder<SpeechModel>('speech-model');
    if (speechHolder && !speechHolder.current) {
      const why = ota!.status().lastError?.reason;
      speechUnavailable = `the speech model did not load (${why?.includes('speech-model') ? why : 'see GET /v1/ota/status and the log'})`;
      log.error({ reason: speechUnavailable }, 'speech engine unavailable until an OTA update installs one: voice commands are off, typed commands still work');
    }
    const speechProvider: SpeechProvider = speechHolder ? holderSpeechProvider(speechHolder) : singleEngineProvider(startEngine);

    // Hands-free endpointing on the voice stream; without it push-to-talk still works. With OTA on it is
    // loaded even without a speech model yet: an update can bring one.
    const vad = speechProvider.available() || speechHolder
      ? await SileroVad.load().catch((err: unknown) => {
          log.warn({ err }, 'Silero VAD unavailable: the voice stream is push-to-talk only');
          return undefined;
        })
      : undefined;
    if (vad) cleanups.push(() => vad.close());

    let microphone: HandsFreeMicrophone | undefined;
    let closing = false;
    const health = async (): Promise<HealthDto> => {
      const storeHealth = await Promise.race([
        store.health().catch((err: Error) => ({ ok: false, detail: err.message })),
        new Promise<{ ok: boolean; detail: string }>((resolve) => setTimeout(() => resolve({ ok: false, detail: 'health check timed out' }), 1000).unref()),
      ]);
      const now = clock.now();
      const lastFrameAt = ingest.lastFrameAt;
      const fresh = lastFrameAt !== undefined && now - lastFrameAt <= FRESH_WINDOW_MS && transport.connected;
      const status = closing || !storeHealth.ok ? 'failing' : transport.connected && fresh ? 'ok' : 'degraded';
      return {
        status,
        uptimeS: Math.round((now - startedAt) / 1000),
        mqtt: { connected: transport.connected, url: mqttUrl, embeddedBroker: broker !== undefined },
        store: storeHealth.detail !== undefined ? { ok: storeHealth.ok, detail: storeHealth.detail } : { ok: storeHealth.ok },
        vehicle: {
          fresh,
          lastFrameAt: lastFrameAt ?? null,
          signals: state.size,
          staleSignals: state.staleCount,
          framesIngested: ingest.framesIngested,
          decodeErrors: ingest.decodeErrors,
        },
        closing,
        ...(microphone ? { microphone: microphone.health() } : {}),
      };
    };

    const api = await buildApi({
      state,
      catalog: vehicle.catalog,
      actuation,
      store,
      metrics,
      health,
      streamBatchMs: config.stream.batchMs,
      clock,
      logger,
      version: SERVICE_VERSION,
      assistant,
      driving,
      speech: {
        speech: speechProvider,
        ...(speechUnavailable ? { unavailableReason: speechUnavailable } : {}),
        ...(vad ? { createEndpointer: () => vad.endpointer() } : {}),
      },
      ...(ota ? { ota } : {}),
      ...(config.hmi.dir ? { hmiDir: config.hmi.dir } : {}),
    });
    // Notifications reach the screen at once (the driving context already held them back during a voice turn).
    driving.on('notification', (n) => api.streamHub.broadcast({ type: 'notification', notification: n }));
    // Registered last so it runs first: the API stops before what it depends on.
    cleanups.push(() => api.close());
    await api.listen({ host: config.http.host, port: config.http.port });
    const address = api.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const url = `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${port}`;
    log.info({ url, mqtt: mqttUrl, embeddedBroker: broker !== undefined, topicRoot: topics.root }, 'vehicle service started');

    // Hands-free listening on a microphone of the head unit (SPEECH_MIC_DEVICE), off by default. Registered after
    // the API so it stops first: no new turn starts while the rest shuts down.
    if (config.speech.micDevice) {
      microphone = startHandsFreeMicrophone({
        device: config.speech.micDevice,
        ...(config.speech.micCommand ? { command: config.speech.micCommand } : {}),
        vad,
        turns: createVoiceTurns({
          speech: speechProvider,
          ...(speechUnavailable ? { unavailableReason: speechUnavailable } : {}),
          assistant,
          driving,
        }),
        store,
        clock,
        logger: logger.child({ component: 'microphone' }),
      });
      const mic = microphone;
      cleanups.push(() => mic.close());
    }

    let closePromise: Promise<void> | undefined;
    return {
      url,
      port,
      mqttUrl,
      embeddedBroker: broker,
      config,
      vehicle,
      state,
      ingest,
      transport,
      actuation,
      store,
      api,
      assistant,
      driving,
      ota,
      get speech() {
        return speechHolder ? speechHolder.model?.engine : startEngine;
      },
      close() {
        closePromise ??= (async () => {
          closing = true;
          log.info('shutting down');
          // Order (reverse of start): API (waits for in-flight requests, closes streams), actuation
          // (waits for queued requests), history, staleness timer, MQTT, broker, store (flushes).
          await cleanupAll();
          log.info('stopped');
        })();
        return closePromise;
      },
    };
  } catch (err) {
    await cleanupAll();
    throw err;
  }
}

/**
 * The in-car OTA agent (issue 5), started only when OTA_SERVER_URL is set. A voice-context update
 * swaps the assistant's context with no restart; the push notification comes over the same broker.
 */
async function startOtaAgent(
  config: VehicleServiceConfig,
  mqttUrl: string,
  topics: ReturnType<typeof createTopics>,
  state: VehicleState,
  users: ModelUsers,
  logger: Logger,
  clock: Clock,
): Promise<OtaAgent> {
  const ota = config.ota;
  const missing = (['vehicleId', 'hardwareId', 'tokenFile', 'rootFile'] as const).filter((k) => !ota[k]);
  if (missing.length > 0) throw OtaConfigError(`OTA_SERVER_URL is set but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not`);
  const readSecret = async (file: string, what: string) => {
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch (err) {
      throw OtaConfigError(`cannot read the ${what} ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
  const token = await readSecret(ota.tokenFile!, 'vehicle token file');
  const trustedRoot = await readSecret(ota.rootFile!, 'trusted root metadata');
  const notifyClient = mqtt.connect(mqttUrl, { reconnectPeriod: 2000, clientId: `auriga-ota-${ota.vehicleId}-${process.pid}` });
  notifyClient.on('error', () => undefined); // reconnects on its own; the agent also polls
  const policy: Record<string, { when: 'anytime' | 'parked'; askDriver?: boolean }> = {};
  for (const kind of new Set([...ota.parkedKinds, ...ota.askDriverKinds, 'voice-context', 'driving-context-model', 'speech-model'])) {
    policy[kind] = { when: ota.parkedKinds.includes(kind) ? 'parked' : 'anytime', askDriver: ota.askDriverKinds.includes(kind) };
  }
  const agent = new OtaAgent({
    serverUrl: ota.serverUrl!,
    vehicleId: ota.vehicleId!,
    hardwareId: ota.hardwareId!,
    token,
    trustedRoot,
    serviceVersion: SERVICE_VERSION,
    dataDir: config.dataDir,
    handlers: [new VoiceContextHandler(), new OnnxModelHandler('driving-context-model'), new SpeechModelHandler({ logger: logger.child({ component: 'speech' }), decoder: speechDecoderConfig(config) })],
    factory: [
      { kind: 'voice-context', name: 'car-context', version: '0.0.0', dir: dirname(config.assistant.contextFile ?? DEFAULT_CAR_CONTEXT_FILE) },
      { kind: 'driving-context-model', name: 'driving-context', version: '0.0.0', dir: dirname(DEFAULT_SITUATION_MODEL_PATH) },
      // The agent loads the speech engine (no second load at start): the configured model or the shipped one.
      { kind: 'speech-model', name: SPEECH_MODEL_NAME, version: '0.0.0', dir: config.speech.modelDir ?? DEFAULT_SPEECH_MODEL_DIR },
    ],
    pollIntervalMs: ota.pollIntervalS * 1000,
    limits: {
      maxBundleBytes: ota.maxBundleBytes,
      minFreeBytes: ota.minFreeBytes,
      ...(ota.maxBytesPerS ? { bytesPerS: ota.maxBytesPerS } : {}),
    },
    policy,
    isParked: parkedFromVehicleState(state),
    notify: { source: mqttNotifySource(notifyClient), topics: [topics.otaNotify, topics.otaNotifyVehicle(ota.vehicleId!)] },
    logger: logger.child({ component: 'ota' }),
    clock,
  });
  const log = logger.child({ component: 'ota' });
  const useModels = () => useOtaModels(agent, users, log);
  agent.on('switched', useModels);
  agent.on('rolledBack', useModels);
  await agent.start();
  useModels();
  const destroy = agent.destroy.bind(agent);
  agent.destroy = async () => {
    await destroy();
    await notifyClient.endAsync();
  };
  return agent;
}

/** The OTA name of the speech model shipped with the image (a speech-model release under this name replaces it). */
export const SPEECH_MODEL_NAME = 'speech-en-us';

/** What runs the models the OTA agent installs: the assistant's voice context, the driving-context model. */
interface ModelUsers {
  assistant: Assistant;
  driving: DrivingContext;
}

/**
 * Hands the agent's active models to what uses them (at start, after a switch, after a rollback). The speech
 * engine needs no handing over (the voice routes take it per request from the holder); its decoding graph for
 * the assistant's context is built here so the first voice command after a switch does not pay for it.
 */
function useOtaModels(agent: OtaAgent, users: ModelUsers, log: Logger): void {
  void (async () => {
    await agent
      .holder<VoiceContextModel>('voice-context')
      ?.use(async (model) => users.assistant.setContext(model.compiled))
      .catch((err: unknown) => log.error({ err }, 'cannot use the installed voice context'));
    const speech = agent.holder<SpeechModel>('speech-model');
    if (!speech?.current) return;
    // A lease without an outcome: warming up is not a request, it must not count in the health window.
    const lease = speech.acquire();
    try {
      lease.model.engine.compile(users.assistant.context);
    } catch (err) {
      log.error({ err }, 'the speech model cannot decode the assistant\'s context: voice commands will fail');
    } finally {
      lease.release();
    }
  })().catch((err: unknown) => log.error({ err }, 'cannot prepare the installed speech model'));
  void agent
    .holder<OnnxModel>('driving-context-model')
    ?.use(async (model) => {
      if (users.driving.modelPath === model.path) return;
      users.driving.setModel(await SituationModel.load(model.path));
    })
    .catch((err: unknown) => log.error({ err }, 'cannot use the installed driving-context model: the previous one keeps running'));
}

/** /healthz's `microphone`. */
type MicrophoneHealth = NonNullable<HealthDto['microphone']>;

interface HandsFreeMicrophone {
  health(): MicrophoneHealth;
  close(): Promise<void>;
}

/**
 * `arecord` on the configured device -> MicListener (the voice-stream session with Silero VAD) -> the same
 * recognition and assistant turn as POST /v1/voice, per endpointed command. When arecord is missing,
 * fails (device busy, unplugged) or stops, the error is logged with its AURIGA_ERR_MIC_* code, shown in
 * /healthz, recorded as an event when it is new, and arecord is started again after a backoff of
 * 1 s doubling up to 60 s (back to 1 s after 10 s of listening). The service keeps running throughout.
 */
function startHandsFreeMicrophone(opts: {
  device: string;
  command?: string;
  vad: SileroVad | undefined;
  turns: VoiceTurns;
  store: Pick<VehicleStore, 'recordEvent'>;
  clock: Clock;
  logger: Logger;
}): HandsFreeMicrophone {
  const { device, logger: log } = opts;
  let lastError: MicrophoneHealth['lastError'];
  let commands = 0;
  const fail = (err: { code: string; message: string }, extra: Record<string, unknown> = {}) => {
    const isNew = lastError?.code !== err.code || lastError.message !== err.message;
    lastError = { code: err.code, message: err.message, at: opts.clock.now() };
    log.error({ code: err.code, device, ...extra }, `hands-free microphone: ${err.message}`);
    if (isNew) opts.store.recordEvent({ type: 'microphone.failed', severity: 'warning', message: `${err.code}: ${err.message}`, timestamp: lastError.at });
  };
  if (!opts.vad) {
    fail(SpeechUnavailableError('the hands-free microphone needs the speech model and the Silero VAD, and one of them did not load'));
    return { health: () => ({ device, listening: false, starts: 0, commands: 0, ...(lastError ? { lastError } : {}) }), close: async () => {} };
  }
  const vad = opts.vad;
  const listener = new MicListener<VoiceResponse>({
    utterance: (samples) => opts.turns.run(samples, {}),
    createEndpointer: () => vad.endpointer(),
    onResult: (r) => {
      commands++;
      log.info({ intent: r.intent, isUnderstood: r.isUnderstood, confidence: r.confidence, recognitionMs: r.timings.recognitionMs, audioMs: r.audioDurationMs, device }, 'hands-free voice command');
    },
    onError: (err) => {
      commands++;
      if (err.statusCode >= 500 && err.statusCode !== 503) log.error({ err, device }, 'hands-free voice command failed');
      else log.warn({ code: err.code, device }, `hands-free voice command: ${err.message}`);
    },
  });
  const mic = new ArecordMicrophone({ device, ...(opts.command ? { command: opts.command } : {}), restart: { minMs: 1000, maxMs: 60_000 }, clock: opts.clock });
  mic.on('start', ({ pid }) => log.info({ device, pid, command: mic.command }, 'hands-free microphone listening'));
  mic.on('error', (err, { restartInMs }) => {
    // The audio breaks here: what was being heard is dropped, not glued to what comes after the restart.
    listener.reset();
    fail(err, restartInMs !== undefined ? { restartInMs } : {});
  });
  listener.attach(mic);
  mic.start();
  return {
    health: () => ({ device, listening: mic.running, starts: mic.runs, commands, ...(lastError ? { lastError } : {}) }),
    close: async () => {
      await mic.destroy();
      await listener.close();
    },
  };
}

/** The integrator's speech decoder settings (config `speech.rejectMargin` / `rejectReference`); the rest stay tuned defaults. */
function speechDecoderConfig(config: VehicleServiceConfig): Partial<DecoderConfig> {
  return {
    ...(config.speech.rejectMargin !== undefined ? { rejectMargin: config.speech.rejectMargin } : {}),
    ...(config.speech.rejectReference !== undefined ? { rejectReference: config.speech.rejectReference } : {}),
  };
}
