import { describe, expect, it } from 'vitest';
import { FakeSocket, ManualTimers } from './test-fakes.js';
import { probeVoiceStream, VoiceSession } from './voice.js';

const result = {
  type: 'result',
  isUnderstood: true,
  intent: 'openWindow',
  slots: { window: 'driver' },
  actions: [{ path: 'Vehicle.Cabin.Door.Row1.DriverSide.Window.Position', value: 100, status: 'refused', reason: 'too fast' }],
  answer: { text: "I can't open the window that far at this speed.", lang: 'en-US' },
};

function session(timers = new ManualTimers()) {
  FakeSocket.instances = [];
  const s = new VoiceSession({
    url: 'ws://hu/v1/voice/stream',
    lang: 'en-US',
    createSocket: (u) => new FakeSocket(u),
    setTimeout: (fn, ms) => timers.setTimeout(fn, ms),
    clearTimeout: (id) => timers.clearTimeout(id),
    answerTimeoutMs: 5000,
  });
  return { s, socket: FakeSocket.instances[0]!, timers };
}

describe('VoiceSession', () => {
  it('queues audio until the socket opens, then sends start, PCM frames and end in order', async () => {
    const { s, socket } = session();
    s.sendPcm(Int16Array.from([1, -2, 3]));
    socket.open();
    s.sendPcm(Int16Array.from([4]));
    const answer = s.end();
    expect(JSON.parse(socket.sent[0] as string)).toEqual({ type: 'start', lang: 'en-US', sampleRate: 16000, encoding: 'pcm_s16le', channels: 1 });
    expect([...new Int16Array(socket.sent[1] as ArrayBuffer)]).toEqual([1, -2, 3]);
    expect([...new Int16Array(socket.sent[2] as ArrayBuffer)]).toEqual([4]);
    expect(JSON.parse(socket.sent[3] as string)).toEqual({ type: 'end' });
    expect(s.secondsSent).toBeCloseTo(4 / 16000, 9);
    socket.receive(result);
    await expect(answer).resolves.toMatchObject({ intent: 'openWindow', actions: [{ status: 'refused', reason: 'too fast' }] });
    expect(socket.closedWith?.code).toBe(1000);
  });

  it('fails with the service error, when the connection drops, and on timeout', async () => {
    const a = session();
    a.socket.open();
    const pa = a.s.end();
    a.socket.receive({ type: 'error', code: 'AURIGA_ERR_VOICE_AUDIO', message: 'audio too short' });
    await expect(pa).rejects.toThrow('audio too short');

    const b = session();
    b.socket.open();
    const pb = b.s.end();
    b.socket.drop(1011, 'engine crashed');
    await expect(pb).rejects.toThrow(/closed before an answer \(1011: engine crashed\)/);

    const c = session();
    c.socket.open();
    const pc = c.s.end();
    c.timers.advance(5000);
    await expect(pc).rejects.toThrow(/within 5000 ms/);
  });

  it('sends nothing more after cancel', () => {
    const { s, socket } = session();
    socket.open();
    s.cancel();
    s.sendPcm(Int16Array.from([1]));
    expect(socket.sent.map((m) => JSON.parse(m as string).type)).toEqual(['start', 'cancel']);
  });
});

describe('probeVoiceStream', () => {
  it('is true when the socket opens (and closes it), false when the handshake fails or hangs', async () => {
    FakeSocket.instances = [];
    const yes = probeVoiceStream('ws://hu/v1/voice/stream', (u) => new FakeSocket(u));
    FakeSocket.instances[0]!.open();
    expect(await yes).toBe(true);
    expect(FakeSocket.instances[0]!.closedWith?.code).toBe(1000);

    const no = probeVoiceStream('ws://hu/v1/voice/stream', (u) => new FakeSocket(u));
    FakeSocket.instances[1]!.drop(1006);
    expect(await no).toBe(false);

    expect(await probeVoiceStream('ws://hu/v1/voice/stream', (u) => new FakeSocket(u), 10)).toBe(false);
  });
});
