import { describe, expect, it } from 'vitest';
import { BadResponseError } from './errors.js';
import { parseAssistantTurn, parseDrivingContext, parseOtaStatus, parseStoredTurns, parseTrips, parseTripSummary, updateProgress } from './parse.js';

describe('parsing the answers of the later routes', () => {
  it('reads a trip summary with its facts', () => {
    const s = parseTripSummary(
      { text: 'Tyre pressure front left dropped to 180 kPa.', lang: 'en-US', facts: [{ id: 'f1', path: 'Vehicle.Chassis.Axle.Row1.Wheel.Left.Tire.Pressure', value: 180, unit: 'kPa', at: 5 }] },
      '/v1/trips/current/summary',
    );
    expect(s.facts).toEqual([{ id: 'f1', path: 'Vehicle.Chassis.Axle.Row1.Wheel.Left.Tire.Pressure', value: 180, unit: 'kPa', at: 5 }]);
    expect(() => parseTripSummary({ text: 'x' }, 'r')).toThrow(BadResponseError);
  });

  it('reads trips with their scalar statistics and the time per situation', () => {
    const t = {
      id: 't7',
      startedAt: 100,
      inProgress: true,
      stats: { distanceKm: 12.5, durationS: 900, maxSpeedKmh: 90, avgConsumptionL100: 6.1, situations: { city: 600, highway: 300 }, eventCounts: { speeding: 1 } },
      events: [],
    };
    expect(parseTrips([t], 'r')).toEqual([
      { id: 't7', startedAt: 100, endedAt: null, inProgress: true, stats: { distanceKm: 12.5, durationS: 900, maxSpeedKmh: 90, avgConsumptionL100: 6.1 }, situations: { city: 600, highway: 300 } },
    ]);
    expect(parseTrips([{ ...t, endedAt: 200, inProgress: false }], 'r')[0]).toMatchObject({ endedAt: 200, inProgress: false });
    expect(() => parseTrips([{ id: 1 }], 'r')).toThrow(/startedAt/);
  });

  it('reads the driving context with its active events', () => {
    const ctx = parseDrivingContext(
      {
        situation: 'highway',
        source: 'model',
        confidence: 0.92,
        activeEvents: [{ id: 'e1', kind: 'tyre_pressure', severity: 'warning', subject: 'RL', path: 'Vehicle.Chassis.Axle.Row2.Wheel.Left.Tire.Pressure', value: 180, unit: 'kPa', startedAt: 5, valueAt: 9 }, 42],
        at: 10,
      },
      'r',
    );
    expect(ctx).toEqual({
      situation: 'highway',
      source: 'model',
      confidence: 0.92,
      events: [{ kind: 'tyre_pressure', severity: 'warning', subject: 'RL', path: 'Vehicle.Chassis.Axle.Row2.Wheel.Left.Tire.Pressure', value: 180, unit: 'kPa', at: 9 }],
    });
    expect(() => parseDrivingContext({ activeEvents: [] }, 'r')).toThrow(/situation/);
  });

  it('reads the OTA agent status, its update waiting for consent, and the download progress', () => {
    const s = parseOtaStatus(
      {
        vehicleId: 'v1',
        phase: 'waiting',
        models: [{ kind: 'speech-model', name: 'speech', version: '1.2.0', slot: 'A', previous: { name: 'speech', version: '1.1.0', slot: 'B' } }],
        update: { assignmentId: 9, target: 't', kind: 'speech-model', name: 'speech', version: '1.3.0', action: 'install', step: 'downloading', bytesReceived: 25e6, bytesTotal: 50e6, waitingFor: 'consent' },
        lastResult: null,
        lastError: { at: 3, reason: 'server down' },
        lastCheckAt: 1,
        nextCheckAt: 2,
      },
      'r',
    );
    expect(s.models[0]?.previous?.version).toBe('1.1.0');
    expect(s.update).toMatchObject({ assignmentId: 9, waitingFor: 'consent', step: 'downloading' });
    expect(updateProgress(s.update)).toBe(0.5);
    expect(s.lastError).toEqual({ at: 3, reason: 'server down' });
    expect(parseOtaStatus({ phase: 'idle', models: [], update: null, lastResult: null, lastError: null }, 'r')).toEqual({ phase: 'idle', models: [], update: null, lastResult: null, lastError: null });
    expect(() => parseOtaStatus({ models: [], update: { step: 'x' } }, 'r')).toThrow(/assignmentId/);
  });

  it('turns an inline WAV answer into a playable URL and keeps the session for follow-ups', () => {
    const turn = parseAssistantTurn(
      {
        turnId: 't1',
        sessionId: 's1',
        isUnderstood: true,
        intent: 'setTemperature',
        resolvedIntent: 'setTemperature',
        slots: {},
        actions: [],
        answer: { text: 'To what temperature?', lang: 'en-US', key: 'ask.temperature', audio: { format: 'wav', engine: 'espeak-ng', base64: 'UklGRg==' } },
        expectsReply: true,
        timings: { totalMs: 3 },
      },
      'r',
    );
    expect(turn).toMatchObject({ turnId: 't1', sessionId: 's1', expectsReply: true, answer: { audioUrl: 'data:audio/wav;base64,UklGRg==' } });
  });

  it('reads stored turns and drops malformed ones', () => {
    const turns = parseStoredTurns(
      [
        { id: 'a', timestamp: 5, sessionId: 's', seat: 'driver', lang: 'en-US', source: 'voice', audioDurationMs: 2100, input: 'open the window', isUnderstood: true, intent: 'openWindow', slots: { window: 'driver' }, actions: [{ path: 'p', value: 100, status: 'refused', reason: 'too fast' }], answer: 'No.', answerKey: 'k', timings: {} },
        { id: 'b' },
      ],
      'r',
    );
    expect(turns).toEqual([
      { id: 'a', timestamp: 5, source: 'voice', audioDurationMs: 2100, input: 'open the window', isUnderstood: true, intent: 'openWindow', slots: { window: 'driver' }, actions: [{ path: 'p', value: 100, status: 'refused', reason: 'too fast' }], answer: 'No.', lang: 'en-US' },
    ]);
  });
});
