import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { DrivingContext } from '../../driving/driving-context.js';
import { EVENT_KINDS, LANGS, SITUATIONS } from '../../driving/types.js';
import { ErrorSchema } from '../schemas.js';

/** Dependencies of the driving-context routes (plugin options). */
export interface DrivingRoutesOptions {
  driving: Pick<DrivingContext, 'context' | 'carSummary' | 'listTrips' | 'getTrip' | 'tripSummary' | 'notifications'>;
}

const EpochMs = Type.Number({ description: 'milliseconds since the Unix epoch' });
const Value = Type.Union([Type.Number(), Type.String(), Type.Boolean()]);
const LangSchema = Type.Union(LANGS.map((l) => Type.Literal(l)), { description: 'language of the text (default en-US)' });
const SituationSchema = Type.Union(SITUATIONS.map((s) => Type.Literal(s)));
const Severity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]);

export const FactSchema = Type.Object(
  {
    id: Type.String({ description: 'stable id within the answer, e.g. tyre.RL.pressure' }),
    path: Type.String({ description: 'VSS path of the source signal (Auriga.Driving.* for values the driving context derives)' }),
    value: Value,
    unit: Type.String({ description: "unit of the value as the text shows it ('' when none)" }),
    at: EpochMs,
  },
  { additionalProperties: false },
);

export const SummarySchema = Type.Object(
  {
    text: Type.String(),
    lang: LangSchema,
    facts: Type.Array(FactSchema, { description: 'every number in text is the value of one of these facts' }),
  },
  { additionalProperties: false },
);

const DataEntry = Type.Object({ value: Type.Number(), unit: Type.String(), path: Type.String(), at: EpochMs }, { additionalProperties: false });

export const DrivingEventSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union(EVENT_KINDS.map((k) => Type.Literal(k))),
    severity: Severity,
    subject: Type.String({ description: 'tyre (FL, FR, RL, RR), door or warning path; empty when the kind has one subject' }),
    path: Type.String(),
    value: Value,
    unit: Type.String(),
    startedAt: EpochMs,
    valueAt: EpochMs,
    endedAt: Type.Optional(EpochMs),
    data: Type.Optional(Type.Record(Type.String(), DataEntry)),
  },
  { additionalProperties: false },
);

export const ContextSchema = Type.Object(
  {
    situation: SituationSchema,
    source: Type.Union([Type.Literal('rules'), Type.Literal('model')], { description: 'who decided the situation' }),
    confidence: Type.Optional(Type.Number({ description: 'model confidence 0..1 when the model decided' })),
    style: Type.Optional(Type.Number({ description: 'latest driving-style score, 0 smooth .. 100 aggressive' })),
    activeEvents: Type.Array(DrivingEventSchema),
    tripId: Type.Optional(Type.String({ description: 'the trip in progress' })),
    at: EpochMs,
  },
  { additionalProperties: false },
);

const SituationSeconds = Type.Object(Object.fromEntries(SITUATIONS.map((s) => [s, Type.Number()])) as Record<(typeof SITUATIONS)[number], ReturnType<typeof Type.Number>>);

export const TripStatsSchema = Type.Object(
  {
    distanceKm: Type.Number(),
    durationS: Type.Number(),
    movingS: Type.Number(),
    avgSpeedKmh: Type.Number({ description: 'distance / duration' }),
    maxSpeedKmh: Type.Number(),
    maxSpeedAt: EpochMs,
    fuelUsedL: Type.Number(),
    avgConsumptionL100: Type.Number(),
    situations: SituationSeconds,
    eventCounts: Type.Record(Type.String(), Type.Integer()),
    styleScore: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);

export const TripSchema = Type.Object(
  {
    id: Type.String(),
    startedAt: EpochMs,
    endedAt: Type.Optional(EpochMs),
    inProgress: Type.Boolean(),
    startOdometerKm: Type.Optional(Type.Number()),
    stats: TripStatsSchema,
    events: Type.Array(DrivingEventSchema),
  },
  { additionalProperties: false },
);

export const NotificationSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union(['low_fuel', 'tyre_pressure', 'warning', 'trip_summary'].map((k) => Type.Literal(k))),
    subject: Type.String(),
    severity: Severity,
    text: Type.String(),
    lang: LangSchema,
    facts: Type.Array(FactSchema),
    createdAt: EpochMs,
    deliveredAt: EpochMs,
    tripId: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const LangQuery = Type.Object({ lang: Type.Optional(LangSchema) }, { additionalProperties: false });
const LimitQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }, { additionalProperties: false });
const TripParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'trip id, or `current` for the trip in progress' }) });

/**
 * Driving context over HTTP: situation and active events, trips with statistics, grounded summaries
 * (text + the facts it was built from) in en-US and zh-CN, and the history of notifications.
 */
export const drivingRoutes: FastifyPluginAsync<DrivingRoutesOptions> = async (fastify, opts) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const driving = opts.driving;
  const tags = ['driving'];

  app.get('/v1/context', {
    schema: { tags, summary: 'Driving situation now and the events in progress', response: { 200: ContextSchema } },
  }, async () => driving.context());

  app.get('/v1/context/summary', {
    schema: { tags, summary: '"How is the car": fuel and range, tyres, warning lights; problems first', querystring: LangQuery, response: { 200: SummarySchema } },
  }, async (req) => driving.carSummary(req.query.lang));

  app.get('/v1/trips', {
    schema: { tags, summary: 'Trips, newest first (the trip in progress first)', querystring: LimitQuery, response: { 200: Type.Array(TripSchema) } },
  }, async (req) => (await driving.listTrips(req.query.limit ?? 50)).map(toDto));

  app.get('/v1/trips/:id', {
    schema: { tags, summary: 'One trip with its statistics', params: TripParams, response: { 200: TripSchema, 404: ErrorSchema } },
  }, async (req) => toDto(await driving.getTrip(req.params.id)));

  app.get('/v1/trips/:id/summary', {
    schema: {
      tags, summary: '"Summarize my drive": short text ranked safety first, with the facts it is built from',
      params: TripParams, querystring: LangQuery, response: { 200: SummarySchema, 404: ErrorSchema },
    },
  }, async (req) => driving.tripSummary(req.params.id, req.query.lang));

  app.get('/v1/notifications', {
    schema: { tags, summary: 'Delivered proactive notifications, newest first', querystring: LimitQuery, response: { 200: Type.Array(NotificationSchema) } },
  }, async (req) => driving.notifications(req.query.limit ?? 50));
};

function toDto(t: Awaited<ReturnType<DrivingRoutesOptions['driving']['getTrip']>>) {
  const { readings: _readings, ...rest } = t;
  return { ...rest, inProgress: t.endedAt === undefined };
}
