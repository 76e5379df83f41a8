import { describe, expect, it } from 'vitest';
import { AudioEmptyError } from '../errors.js';
import { VoiceStreamSession, type Endpointer, type VoiceStreamSessionOptions } from './session.js';

/** Manual timers and a recorded socket. */
function harness(extra: Partial<VoiceStreamSessionOptions> = {}) {
  const sent: Array<Record<string, unknown>> = [];
  const closed: Array<[number, string]> = [];
  const timers = new Map<number, () => void>();
  let seq = 0;
  const utterances: Array<{ start: unknown; samples: Float32Array }> = [];
  let answer: (start: unknown, samples: Float32Array) => Promise<Record<string, unknown>> = async (_s, samples) => ({ isUnderstood: true, n: samples.length });
  const session = new VoiceStreamSession({
    utterance: (start, samples) => {
      utterances.push({ start, samples });
      return answer(start, samples);
    },
    send: (m) => sent.push(m),
    close: (code, reason) => closed.push([code, reason]),
    setTimeout: (fn) => {
      timers.set(++seq, fn);
      return seq;
    },
    clearTimeout: (h) => timers.delete(h as number),
    ...extra,
  });
  const pcm = (...values: number[]) => {
    const b = new Uint8Array(values.length * 2);
    const v = new DataView(b.buffer);
    values.forEach((x, i) => v.setInt16(i * 2, x, true));
    return b;
  };
  const fireIdle = () => {
    const pending = [...timers.values()];
    timers.clear();
    pending.forEach((f) => f());
  };
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return { session, sent, closed, utterances, pcm, fireIdle, flush, timers, setAnswer: (f: typeof answer) => (answer = f) };
}

describe('VoiceStreamSession', () => {
  it('decodes little-endian Int16 frames into one utterance and answers {type: result}', async () => {
    const h = harness();
    h.session.onText(JSON.stringify({ type: 'start', lang: 'zh-CN', seat: 'passenger', sessionId: 's', speak: true, sampleRate: 16000, encoding: 'pcm_s16le', channels: 1 }));
    h.session.onBinary(h.pcm(16384, -32768));
    h.session.onBinary(h.pcm(-16384));
    expect(h.session.secondsReceived).toBeCloseTo(3 / 16000);
    h.session.onText('{"type":"end"}');
    await h.flush();
    expect(h.utterances).toHaveLength(1);
    expect(h.utterances[0]!.start).toEqual({ mode: 'push-to-talk', lang: 'zh-CN', seat: 'passenger', sessionId: 's', speak: true });
    expect([...h.utterances[0]!.samples]).toEqual([0.5, -1, -0.5]);
    expect(h.sent).toEqual([{ type: 'result', isUnderstood: true, n: 3 }]);
    expect(h.session.state).toBe('idle');
  });

  it('answers protocol errors with codes and keeps the socket usable', async () => {
    const h = harness({ maxAudioSec: 2 / 16000 });
    h.session.onBinary(h.pcm(1));
    h.session.onText('nope');
    h.session.onText('{"type":"start","channels":2}');
    h.session.onText('{"type":"start"}');
    h.session.onText('{"type":"start"}');
    h.session.onText('{"type":"start"}');
    h.session.onBinary(h.pcm(1, 2, 3));
    h.session.onText('{"type":"start"}');
    h.session.onText('{"type":"end"}');
    await h.flush();
    expect(h.sent.map((m) => m.code)).toEqual([
      'AURIGA_ERR_VOICE_STREAM_PROTOCOL',
      'AURIGA_ERR_VOICE_STREAM_PROTOCOL',
      'AURIGA_ERR_VOICE_STREAM_PROTOCOL',
      'AURIGA_ERR_VOICE_STREAM_PROTOCOL', // start while listening: the utterance is dropped
      'AURIGA_ERR_AUDIO_TOO_LONG',
      AudioEmptyError.code,
    ]);
    expect(h.utterances).toHaveLength(0);
    h.session.onText('{"type":"start"}');
    h.session.onBinary(h.pcm(7));
    h.session.onText('{"type":"end"}');
    await h.flush();
    expect(h.sent.at(-1)).toMatchObject({ type: 'result', n: 1 });
  });

  it('cancel drops the audio; an engine error is sent as a coded error; nothing is sent after destroy()', async () => {
    const h = harness();
    h.session.onText('{"type":"start"}');
    h.session.onBinary(h.pcm(1, 2));
    h.session.onText('{"type":"cancel"}');
    expect(h.sent).toEqual([{ type: 'cancelled' }]);
    h.setAnswer(async () => {
      throw AudioEmptyError('x');
    });
    h.session.onText('{"type":"start"}');
    h.session.onBinary(h.pcm(1));
    h.session.onText('{"type":"end"}');
    await h.flush();
    expect(h.sent.at(-1)).toEqual({ type: 'error', code: 'AURIGA_ERR_AUDIO_EMPTY', message: 'empty audio: x' });
    let release!: () => void;
    h.setAnswer(() => new Promise((r) => (release = () => r({ late: true }))));
    h.session.onText('{"type":"start"}');
    h.session.onBinary(h.pcm(1));
    h.session.onText('{"type":"end"}');
    await h.flush();
    h.session.destroy();
    h.session.destroy();
    release();
    await h.flush();
    expect(h.sent.some((m) => m.late)).toBe(false);
  });

  it('closes an idle socket with a coded error, but not while answering', async () => {
    const h = harness();
    h.session.onText('{"type":"start"}');
    h.session.onBinary(h.pcm(1));
    h.fireIdle();
    expect(h.sent).toEqual([{ type: 'error', code: 'AURIGA_ERR_VOICE_STREAM_IDLE', message: expect.stringContaining('10000 ms') }]);
    expect(h.closed).toEqual([[1000, 'idle']]);
    h.session.onText('{"type":"start"}');
    expect(h.sent).toHaveLength(1);

    const b = harness();
    let release!: () => void;
    b.setAnswer(() => new Promise((r) => (release = () => r({ ok: true }))));
    b.session.onText('{"type":"start"}');
    b.session.onBinary(b.pcm(1));
    b.session.onText('{"type":"end"}');
    expect(b.timers.size).toBe(0);
    release();
    await b.flush();
    expect(b.sent).toEqual([{ type: 'result', ok: true }]);
    expect(b.timers.size).toBe(1);
  });

  it('hands-free: the endpointer ends the utterance at the frame where it heard the end', async () => {
    const frames: number[] = [];
    const endpointer: Endpointer = { push: async (s) => (frames.push(s.length), frames.length === 2) };
    const h = harness({ createEndpointer: () => endpointer });
    h.session.onText('{"type":"start","mode":"hands-free"}');
    h.session.onBinary(h.pcm(1, 1));
    h.session.onBinary(h.pcm(2, 2, 2));
    h.session.onBinary(h.pcm(3)); // arrives before the endpointer answered: not part of the utterance
    await h.flush();
    await h.flush();
    expect(h.utterances).toHaveLength(1);
    expect(h.utterances[0]!.samples.length).toBe(5);
    expect(h.sent).toEqual([{ type: 'result', isUnderstood: true, n: 5 }]);
  });

  it('hands-free: frames between the answer and the next start are ignored, not errors; after push-to-talk or cancel they are', async () => {
    const endpointer: Endpointer = { push: async () => true };
    const h = harness({ createEndpointer: () => endpointer });
    h.session.onText('{"type":"start","mode":"hands-free"}');
    h.session.onBinary(h.pcm(1, 1));
    await h.flush();
    await h.flush();
    expect(h.sent).toEqual([{ type: 'result', isUnderstood: true, n: 2 }]);
    expect(h.session.state).toBe('idle');
    h.session.onBinary(h.pcm(5, 5, 5)); // the microphone kept streaming
    expect(h.sent).toHaveLength(1);
    h.session.onText('{"type":"cancel"}');
    h.session.onBinary(h.pcm(5));
    expect(h.sent.at(-1)).toMatchObject({ type: 'error', code: 'AURIGA_ERR_VOICE_STREAM_PROTOCOL' });
    h.session.onText('{"type":"start"}');
    h.session.onBinary(h.pcm(7));
    h.session.onText('{"type":"end"}');
    await h.flush();
    h.session.onBinary(h.pcm(8));
    expect(h.sent.at(-1)).toMatchObject({ type: 'error', code: 'AURIGA_ERR_VOICE_STREAM_PROTOCOL' });
  });
});
