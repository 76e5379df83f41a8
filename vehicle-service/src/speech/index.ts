/**
 * Speech to intent: the shipped phone model, a lexicon with a letter-to-sound fallback, and a
 * Viterbi decoder constrained by a compiled voice context, with a garbage loop for rejection.
 */
export {
  SpeechEngine,
  DEFAULT_DECODER_CONFIG,
  DEFAULT_MODEL_DIR,
  type CompiledSpeechContext,
  type DecoderConfig,
  type SpeechEngineOptions,
  type SpeechResult,
  type SpeechTimings,
} from './engine.js';
export { parseWav, downmix, encodeWav16, resample, wavTo16kMono, mixAtSnr, maxFrameEnergy, MODEL_SAMPLE_RATE, WAV_DEFAULTS, type WavAudio, type WavParseOptions } from './audio/index.js';
export { Lexicon, graphemeToPhoneme, type Pronunciation } from './lexicon/index.js';
export * from './errors.js';
export { VoiceStreamSession, type VoiceStreamSessionOptions, type VoiceStreamStart, type VoiceStreamMode, type Endpointer } from './stream/session.js';
export { SileroVad, SileroEndpointer, EndpointDetector, defaultSileroPath, VAD_FRAME_SAMPLES, type EndpointOptions } from './vad/silero.js';
export { ArecordMicrophone, Pcm16Reassembler, pcm16ToFloat32, stderrSummary, type ArecordMicrophoneOptions, type MicrophoneEvents } from './audio/microphone.js';
export { MicListener, type MicListenerOptions, type MicEndpointer } from './mic-listener.js';
