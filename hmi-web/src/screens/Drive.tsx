import { useMemo } from 'preact/hooks';
import { ROUTES } from '../api/routes.js';
import type { TripInfo } from '../api/types.js';
import { Card } from '../components/Card.js';
import { NotAvailable } from '../components/NotAvailable.js';
import { TripChart } from '../components/TripChart.js';
import { useLoad, type Loaded } from '../components/useLoad.js';
import { displayUnit, formatDuration, formatTime, hasKey, type MessageKey } from '../i18n/index.js';
import { useApp, useI18n, useSignals } from '../state/hooks.js';
import { P } from '../state/vehicle.js';

/** Without a trip from the service, the chart shows this much recent history. */
const FALLBACK_WINDOW_MS = 30 * 60 * 1000;

export function DriveScreen() {
  const app = useApp();
  const { t, lang } = useI18n();
  const [trips] = useLoad(() => app.api.trips(), [], 30_000);
  const current = trips.state === 'ok' ? trips.data.find((x) => x.inProgress) : undefined;
  // Fixed once per screen visit unless the trip changes, so the chart is not reloaded every render.
  const from = useMemo(() => current?.startedAt ?? Date.now() - FALLBACK_WINDOW_MS, [current?.startedAt]);
  return (
    <div class="drive-grid">
      <SituationCard />
      <TripCard trips={trips} current={current} />
      <SummaryCard />
      <Card id="chart" title={t('drive.chart')} class="area-chart" aside={<span class="muted small">{t('drive.chartSince', { time: formatTime(lang, from) })}</span>}>
        <TripChart from={from} />
      </Card>
    </div>
  );
}

function SituationCard() {
  const app = useApp();
  const { t, lang, n } = useI18n();
  const [ctx] = useLoad(() => app.api.context(), [], 3000);
  return (
    <Card id="situation" title={t('drive.situation')} class="area-situation">
      {ctx.state === 'unavailable' ? (
        <NotAvailable route={ctx.route} />
      ) : ctx.state === 'error' ? (
        <p class="danger">{t('common.error', { message: ctx.message })}</p>
      ) : ctx.state === 'loading' ? (
        <p class="muted">{t('common.loading')}</p>
      ) : (
        <>
          <p class="situation" data-situation={ctx.data.situation}>
            {keyOr(`drive.situation.${ctx.data.situation}`, t, ctx.data.situation)}
          </p>
          <p class="muted small">
            {ctx.data.source === 'model' && ctx.data.confidence !== undefined ? t('drive.byModel', { pct: n(ctx.data.confidence * 100) }) : t('drive.byRules')}
            {ctx.data.style !== undefined ? ` · ${t('drive.style', { score: n(ctx.data.style) })}` : ''}
          </p>
          <h3>{t('drive.events')}</h3>
          {ctx.data.events.length === 0 ? (
            <p class="muted">{t('drive.noEvents')}</p>
          ) : (
            <ul class="events">
              {ctx.data.events.slice(0, 3).map((e, i) => (
                <li key={i} class={e.severity === 'info' ? '' : e.severity === 'critical' ? 'danger' : 'warn'} data-event={e.kind}>
                  {keyOr(`drive.event.${e.kind}`, t, e.kind)}
                  {e.subject ? ` (${e.subject})` : ''}
                  {e.value !== null && typeof e.value === 'number' ? ` ${n(e.value, Number.isInteger(e.value) ? 0 : 1)} ${displayUnit(e.unit)}` : ''}
                  {e.at > 0 && <span class="muted small"> {formatTime(lang, e.at)}</span>}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Card>
  );
}

const keyOr = (key: string, t: (k: MessageKey) => string, fallback: string) => (hasKey(key) ? t(key) : fallback);

/** The trip statistics shown, in this order (the service sends more). */
const TRIP_STATS = ['distanceKm', 'durationS', 'avgSpeedKmh', 'maxSpeedKmh', 'fuelUsedL', 'avgConsumptionL100'];

function statValue(key: string, value: number, n: (v: number | undefined, d?: number) => string): string {
  if (/S$/.test(key)) return formatDuration(value);
  if (/Kmh$/.test(key)) return `${n(value)} km/h`;
  if (/Km$/.test(key)) return `${n(value, 1)} km`;
  if (/L100$/.test(key)) return `${n(value, 1)} L/100 km`;
  if (/L$/.test(key)) return `${n(value, 1)} L`;
  return n(value, 1);
}

function TripCard(props: { trips: Loaded<TripInfo[]>; current: TripInfo | undefined }) {
  const app = useApp();
  const s = useSignals(app.signals);
  const { t, n } = useI18n();
  const live: Array<[MessageKey, string, number]> = [
    ['drive.distance', P.sinceStart, 1],
    ['drive.tripMeter', P.tripMeter, 1],
    ['drive.avgConsumption', P.avgConsumption, 1],
    ['drive.instantConsumption', P.instantConsumption, 1],
  ];
  return (
    <Card id="trip" title={t('drive.trip')} class="area-trip">
      {props.current ? (
        // The service's trip statistics when it tracks the trip; the car's own meters otherwise (both do not fit).
        <dl class="stats" data-trip={props.current.id}>
          {TRIP_STATS.filter((k) => props.current!.stats[k] !== undefined).map((k) => (
            <div key={k}>
              <dt>{keyOr(`drive.stat.${k}`, t, k)}</dt>
              <dd>{statValue(k, props.current!.stats[k]!, n)}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <>
          <h3 class="muted small">{t('drive.fromCar')}</h3>
          <dl class="stats">
            {live.map(([key, path, decimals]) => (
              <div key={path}>
                <dt>{t(key)}</dt>
                <dd class={s.isStale(path) ? 'is-stale' : ''} data-path={path}>
                  {n(s.number(path), decimals)} <small>{displayUnit(s.get(path)?.unit)}</small>
                </dd>
              </div>
            ))}
          </dl>
          {props.trips.state === 'unavailable' ? (
            <NotAvailable route={props.trips.route} compact />
          ) : props.trips.state === 'error' ? (
            <p class="danger">{t('common.error', { message: props.trips.message })}</p>
          ) : (
            <p class="muted">{props.trips.state === 'loading' ? t('common.loading') : t('drive.noTrip')}</p>
          )}
        </>
      )}
    </Card>
  );
}

function SummaryCard() {
  const app = useApp();
  const { t, lang, n } = useI18n();
  const [summary, reload] = useLoad(() => app.api.tripSummary('current', lang), [lang], 30_000);
  return (
    <Card
      id="summary"
      title={t('drive.summary')}
      class="area-summary"
      aside={
        summary.state !== 'unavailable' && (
          <button type="button" class="action compact" onClick={reload}>
            {t('drive.refresh')}
          </button>
        )
      }
    >
      {summary.state === 'unavailable' ? (
        <NotAvailable route={ROUTES.trips + '/current/summary'} />
      ) : summary.state === 'error' ? (
        summary.code === 'AURIGA_ERR_DRIVING_NO_CURRENT_TRIP' ? (
          <p class="muted">{t('drive.noTrip')}</p>
        ) : (
          <p class="danger">{t('common.error', { message: summary.message })}</p>
        )
      ) : summary.state === 'loading' ? (
        <p class="muted">{t('common.loading')}</p>
      ) : (
        <>
          <p class="summary-text" lang={summary.data.lang || undefined}>
            {summary.data.text}
          </p>
          <details class="facts">
            <summary>
              {t('drive.facts')} ({summary.data.facts.length})
            </summary>
            <ul>
              {summary.data.facts.map((f) => (
                <li key={f.id}>
                  <code>{f.path.replace(/^Vehicle\./, '')}</code> = {typeof f.value === 'number' ? n(f.value, Number.isInteger(f.value) ? 0 : 1) : String(f.value ?? '—')} {displayUnit(f.unit)}
                  {f.at > 0 && <span class="muted small"> {formatTime(lang, f.at)}</span>}
                </li>
              ))}
            </ul>
          </details>
        </>
      )}
    </Card>
  );
}
