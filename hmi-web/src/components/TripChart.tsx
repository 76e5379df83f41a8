import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber, formatTime } from '../i18n/index.js';
import { useApp, useI18n, useObservable } from '../state/hooks.js';
import { alignSeries, appendPoint, extent, type AlignedSeries } from '../state/series.js';
import { P } from '../state/vehicle.js';
import { PALETTES } from '../theme/palette.js';

/** Two hours at one point a second. */
const MAX_POINTS = 7200;

/**
 * Speed and consumption since `from`: the stored history first, then a point a second from the
 * live stream. uPlot draws it on a canvas; a hidden summary gives screen readers the numbers.
 */
export function TripChart(props: { from: number }) {
  const app = useApp();
  const { t, lang } = useI18n();
  const { theme } = useObservable(app.settings);
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [data, setData] = useState<AlignedSeries | null>(null);
  const [error, setError] = useState<string | null>(null);

  // History since `from`.
  useEffect(() => {
    let cancelled = false;
    setData(null);
    setError(null);
    Promise.all([app.api.history(P.speed, { from: props.from, limit: 10_000 }), app.api.history(P.instantConsumption, { from: props.from, limit: 10_000 })])
      .then(([speed, cons]) => {
        if (!cancelled) setData(alignSeries(speed, cons));
      })
      .catch((err: Error) => {
        if (!cancelled) {
          setError(err.message);
          setData([[], [], []]);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [props.from]);

  // Live points from the stream, once a second.
  useEffect(() => {
    const id = setInterval(() => {
      const s = app.signals;
      if (s.isStale(P.speed)) return;
      const speed = s.number(P.speed) ?? null;
      const cons = s.isStale(P.instantConsumption) ? null : (s.number(P.instantConsumption) ?? null);
      setData((d) => (d ? appendPoint(d, Math.floor(Date.now() / 1000), speed, cons, MAX_POINTS) : d));
    }, 1000);
    return () => clearInterval(id);
  }, []);

  // (Re)build the chart when the theme or language changes; size it to its box.
  useEffect(() => {
    const el = host.current;
    if (!el || !data) return undefined;
    const pal = PALETTES[theme];
    const axis = { stroke: pal.textMuted, grid: { stroke: pal.surfaceRaised, width: 1 }, ticks: { stroke: pal.line, width: 1 }, font: '14px system-ui, sans-serif' };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: Math.max(120, el.clientHeight),
      pxAlign: 0,
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: false },
      scales: { x: { time: true }, kmh: { range: (_u, _min, max) => [0, Math.max(60, Math.ceil(max / 20) * 20)] }, l100: { range: (_u, _min, max) => [0, Math.max(10, Math.ceil(max / 5) * 5)] } },
      series: [
        { value: (_u, v) => (v === null ? '' : formatTime(lang, v * 1000)) },
        { label: t('drive.chartSpeed'), scale: 'kmh', stroke: pal.chartSpeed, width: 2, value: (_u, v) => (v === null ? '—' : formatNumber(lang, v, 0)) },
        { label: t('drive.chartConsumption'), scale: 'l100', stroke: pal.chartConsumption, width: 2, value: (_u, v) => (v === null ? '—' : formatNumber(lang, v, 1)) },
      ],
      axes: [
        {
          ...axis,
          // Seconds on the axis only when the ticks are less than a minute apart.
          values: (_u, ticks, _axis, _space, incr) => {
            const f = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', ...(incr < 60 ? { second: '2-digit' } : {}), hour12: false });
            return ticks.map((v) => f.format(v * 1000));
          },
        },
        { ...axis, scale: 'kmh', label: 'km/h', labelFont: '14px system-ui, sans-serif', size: 56 },
        { ...axis, scale: 'l100', side: 1, label: 'L/100 km', labelFont: '14px system-ui, sans-serif', size: 56, grid: { show: false } },
      ],
    };
    // uPlot measures its legend inside the box: give the plot the room left.
    const u = new uPlot(opts, data, el);
    plot.current = u;
    const fit = () => {
      const legend = el.querySelector<HTMLElement>('.u-legend')?.offsetHeight ?? 0;
      u.setSize({ width: Math.max(200, el.clientWidth), height: Math.max(120, el.clientHeight - legend - 4) });
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Data updates go through setData below, not a rebuild.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [theme, lang, data === null]);

  useEffect(() => {
    if (plot.current && data) plot.current.setData(data);
  }, [data]);

  const speedExtent = data ? extent(data[1]) : undefined;
  const consExtent = data ? extent(data[2]) : undefined;
  return (
    <div class="chart-wrap">
      <div class="chart-host" ref={host} role="img" aria-label={t('drive.chart')} data-points={data?.[0].length ?? 0} />
      <p class="visually-hidden" aria-live="off">
        {t('drive.chartSpeed')}: {speedExtent ? `${formatNumber(lang, speedExtent[0])}–${formatNumber(lang, speedExtent[1])}` : '—'}.{' '}
        {t('drive.chartConsumption')}: {consExtent ? `${formatNumber(lang, consExtent[0], 1)}–${formatNumber(lang, consExtent[1], 1)}` : '—'}.
      </p>
      {data && data[0].length === 0 && <p class="chart-empty muted">{error ? t('common.error', { message: error }) : t('drive.chartEmpty')}</p>}
    </div>
  );
}
