import { defineError, type AurigaError } from '@auriga/common';

/**
 * Error codes of the speech engine. They live here (like src/context/errors.ts) because this folder
 * is owned separately; the lead may fold them into the package catalogue.
 */

/** Not a RIFF/WAVE file at all (wrong magic, a different container). */
export const AudioFormatError = defineError(
  'AURIGA_ERR_AUDIO_FORMAT',
  400,
  (what: string) => `not a usable WAV file: ${what}`,
);
/** A WAV file whose chunks are cut short or inconsistent. */
export const AudioCorruptError = defineError(
  'AURIGA_ERR_AUDIO_CORRUPT',
  400,
  (what: string) => `corrupt WAV file: ${what}`,
);
/** A well-formed WAV file in an encoding the engine does not decode (e.g. A-law, 12-bit). */
export const AudioUnsupportedError = defineError(
  'AURIGA_ERR_AUDIO_UNSUPPORTED',
  415,
  (what: string) => `unsupported WAV encoding: ${what}`,
);
/** No samples (zero-length body, or a data chunk with nothing in it). */
export const AudioEmptyError = defineError(
  'AURIGA_ERR_AUDIO_EMPTY',
  400,
  (what: string) => `empty audio: ${what}`,
);
/** Longer (or larger) than the engine accepts. */
export const AudioTooLongError = defineError(
  'AURIGA_ERR_AUDIO_TOO_LONG',
  413,
  (what: string) => `audio too long: ${what}`,
);
/** The model directory or its files cannot be used. */
export const SpeechModelError = defineError(
  'AURIGA_ERR_SPEECH_MODEL',
  500,
  (what: string) => `cannot load the speech model: ${what}`,
);
/** A context whose words cannot be turned into phones (no letters, empty graph). */
export const SpeechContextError = defineError(
  'AURIGA_ERR_SPEECH_CONTEXT',
  400,
  (what: string) => `cannot compile the context for speech: ${what}`,
);
/** recognize() after close(). */
export const SpeechClosedError = defineError('AURIGA_ERR_SPEECH_CLOSED', 503, () => 'the speech engine is closed');

export type { AurigaError };
/** An audio file that cannot be read from disk (CLI, tools). */
export const AudioReadError = defineError(
  'AURIGA_ERR_AUDIO_READ',
  404,
  (path: string, why: string) => `cannot read audio file ${path}: ${why}`,
);
/** A request body that is not sent as audio (API). */
export const AudioMediaTypeError = defineError(
  'AURIGA_ERR_AUDIO_MEDIA_TYPE',
  415,
  (contentType: string) => `send the WAV file as the raw body with Content-Type audio/wav (got ${contentType || 'no content type'})`,
);
/** The speech engine did not load (missing or broken model): voice is off, typed commands still work. */
export const SpeechUnavailableError = defineError(
  'AURIGA_ERR_SPEECH_UNAVAILABLE',
  503,
  (why: string) => `voice commands are not available: ${why}`,
);
/** A voice-stream message the protocol does not allow (bad JSON, binary before start, a second start...). */
export const VoiceStreamProtocolError = defineError(
  'AURIGA_ERR_VOICE_STREAM_PROTOCOL',
  400,
  (what: string) => `voice stream: ${what}`,
);
/** A voice stream that went quiet (no message) for too long. */
export const VoiceStreamIdleError = defineError(
  'AURIGA_ERR_VOICE_STREAM_IDLE',
  408,
  (ms: number) => `voice stream: nothing received for ${ms} ms; the utterance was dropped`,
);
/** The microphone command (ALSA `arecord`) cannot be started: not installed, not executable. */
export const MicUnavailableError = defineError(
  'AURIGA_ERR_MIC_UNAVAILABLE',
  503,
  (command: string, why: string) => `cannot start the microphone: ${command} ${why}`,
);
/** The microphone command failed: a non-zero exit (its stderr says why, e.g. the device is busy) or a signal. */
export const MicFailedError = defineError(
  'AURIGA_ERR_MIC_FAILED',
  503,
  (what: string, why: string) => `the microphone failed: ${what}: ${why}`,
);
/** The microphone command ended on its own with exit code 0: no more audio comes. */
export const MicStoppedError = defineError(
  'AURIGA_ERR_MIC_STOPPED',
  503,
  (what: string) => `the microphone stopped: ${what} exited without an error and sends no more audio`,
);
