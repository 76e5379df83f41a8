/**
 * The HMI's parsers accept what vehicle-service's own schemas describe: values built from the
 * route schemas (TypeBox Value.Create, then filled in) go through hmi-web's parsers unchanged. When a
 * route's schema changes, this fails here rather than on the head unit.
 */
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { parseAssistantTurn, parseDrivingContext, parseOtaStatus, parseStoredTurns, parseTrips, parseTripSummary, updateProgress } from '../../hmi-web/src/api/parse.js';
import { AssistantResponseSchema } from '../../vehicle-service/src/api/routes/assistant.js';
import { ContextSchema, DrivingEventSchema, SummarySchema, TripSchema } from '../../vehicle-service/src/api/routes/driving.js';
import { OtaStatusSchema } from '../../vehicle-service/src/api/routes/ota.js';

describe('hmi-web parsers against vehicle-service schemas', () => {
  it('POST /v1/text answer', () => {
    const body = {
      ...Value.Create(AssistantResponseSchema),
      isUnderstood: true,
      intent: 'openWindow',
      slots: { window: 'driver' },
      actions: [{ path: 'Vehicle.Cabin.Door.Row1.DriverSide.Window.Position', value: 100, status: 'refused', reason: 'too fast', ruleId: 'r' }],
      answer: { text: "I can't open it that far now.", lang: 'en-US', key: 'refused', audio: { format: 'wav', engine: 'espeak-ng', base64: 'UklGRg==' } },
    };
    expect(Value.Check(AssistantResponseSchema, body)).toBe(true);
    expect(parseAssistantTurn(body, '/v1/text')).toMatchObject({
      isUnderstood: true,
      intent: 'openWindow',
      actions: [{ status: 'refused', reason: 'too fast' }],
      answer: { text: "I can't open it that far now.", audioUrl: 'data:audio/wav;base64,UklGRg==' },
      sessionId: body.sessionId,
    });
  });

  it('GET /v1/context, /v1/trips and /v1/trips/{id}/summary', () => {
    const event = { ...Value.Create(DrivingEventSchema), kind: 'tyre_pressure', severity: 'warning', subject: 'RL', value: 180, unit: 'kPa', valueAt: 7 };
    const ctx = { ...Value.Create(ContextSchema), situation: 'highway', activeEvents: [event] };
    expect(Value.Check(ContextSchema, ctx)).toBe(true);
    expect(parseDrivingContext(ctx, '/v1/context')).toMatchObject({ situation: 'highway', events: [{ kind: 'tyre_pressure', subject: 'RL', value: 180, at: 7 }] });

    const trip = Value.Create(TripSchema);
    trip.stats.distanceKm = 42.5;
    expect(Value.Check(TripSchema, trip)).toBe(true);
    const [parsed] = parseTrips([trip], '/v1/trips');
    expect(parsed?.stats.distanceKm).toBe(42.5);
    expect(Object.keys(parsed?.situations ?? {})).toEqual(Object.keys(trip.stats.situations));

    const summary = { text: 'Rear left tyre at 180 kPa.', lang: 'en-US', facts: [{ id: 'tyre.RL.pressure', path: 'Vehicle.Chassis.Axle.Row2.Wheel.Left.Tire.Pressure', value: 180, unit: 'kPa', at: 9 }] };
    expect(Value.Check(SummarySchema, summary)).toBe(true);
    expect(parseTripSummary(summary, '/v1/trips/current/summary').facts[0]).toEqual(summary.facts[0]);
  });

  it('GET /v1/ota/status', () => {
    const status = Value.Create(OtaStatusSchema);
    expect(parseOtaStatus(status, '/v1/ota/status').update).toBeNull();
    const withUpdate = {
      ...status,
      models: [{ kind: 'speech-model', name: 'speech', version: '1.2.0', slot: 'A' }],
      update: { assignmentId: 3, target: 't', kind: 'speech-model', name: 'speech', version: '1.3.0', action: 'install', step: 'downloading', bytesReceived: 10, bytesTotal: 40, waitingFor: 'consent' },
    };
    expect(Value.Check(OtaStatusSchema, withUpdate)).toBe(true);
    const parsed = parseOtaStatus(withUpdate, '/v1/ota/status');
    expect(parsed.update).toMatchObject({ assignmentId: 3, waitingFor: 'consent' });
    expect(updateProgress(parsed.update)).toBe(0.25);
  });

  it('GET /v1/assistant/turns', () => {
    const turns = parseStoredTurns(
      [{ id: 't', timestamp: 1, sessionId: 's', seat: 'driver', lang: 'zh-CN', source: 'text', input: '打开车窗', isUnderstood: false, slots: {}, actions: [], answer: '没听懂', answerKey: 'k', timings: {} }],
      '/v1/assistant/turns',
    );
    expect(turns).toHaveLength(1);
  });
});
