import { ActuationNote } from '../components/ActuationNote.js';
import { Card } from '../components/Card.js';
import { CarOutline } from '../components/CarOutline.js';
import { LockIcon, UnlockIcon, WarnIcon } from '../components/icons.js';
import { Stepper } from '../components/Stepper.js';
import { ToggleButton } from '../components/ToggleButton.js';
import { displayUnit, type MessageKey } from '../i18n/index.js';
import type { AppModel } from '../state/app.js';
import { useApp, useI18n, useObservable, useSignals, type I18n } from '../state/hooks.js';
import type { SignalStore } from '../state/signals.js';
import {
  activeWarnings,
  doorPath,
  energySource,
  gearLabel,
  hvacPath,
  P,
  positionKey,
  POSITIONS,
  seatHeatPath,
  stepValue,
  ZONES,
  type Zone,
} from '../state/vehicle.js';

export function VehicleScreen() {
  const app = useApp();
  const s = useSignals(app.signals);
  const i18n = useI18n();
  return (
    <div class="vehicle-grid">
      <DriveCard s={s} i18n={i18n} />
      <BodyCard app={app} s={s} i18n={i18n} />
      <ClimateCard app={app} s={s} i18n={i18n} />
      <WarningsCard s={s} i18n={i18n} />
      <WindowsCard app={app} s={s} i18n={i18n} />
    </div>
  );
}

type Props = { s: SignalStore; i18n: I18n };
type AppProps = Props & { app: AppModel };

/** A number that greys out and says "stale" when the service says it is not current. */
function Value(props: { s: SignalStore; path: string; decimals?: number; scale?: number; unit?: string; class?: string }) {
  const { n, t } = useI18n();
  const raw = props.s.number(props.path);
  const stale = props.s.isStale(props.path);
  const value = raw === undefined ? undefined : raw * (props.scale ?? 1);
  return (
    <span class={`value ${props.class ?? ''} ${stale ? 'is-stale' : ''}`} data-path={props.path} data-stale={stale}>
      {n(value, props.decimals ?? 0)}
      {props.unit !== undefined && <small>{props.unit}</small>}
      {stale && raw !== undefined && <span class="visually-hidden"> ({t('common.stale')})</span>}
    </span>
  );
}

function DriveCard({ s, i18n: { t } }: Props) {
  const source = energySource(s);
  const level = source === 'fuel' ? s.number(P.fuelLevel) : s.number(P.soc);
  const levelPath = source === 'fuel' ? P.fuelLevel : P.soc;
  const levelStale = s.isStale(levelPath);
  return (
    <Card id="drive-state" title={t('vehicle.speed')} class="area-drive">
      <div class="speed-row">
        <Value s={s} path={P.speed} class="speed" unit="km/h" />
        <div class="gear" aria-label={t('vehicle.gear')}>
          <span class="muted small">{t('vehicle.gear')}</span>
          <span class={`gear-value ${s.isStale(P.selectedGear) && s.isStale(P.currentGear) ? 'is-stale' : ''}`} data-path={P.currentGear}>
            {gearLabel(s.number(P.selectedGear), s.number(P.currentGear))}
          </span>
        </div>
      </div>
      <div class="energy">
        <div class="energy-head">
          <span>{t(source === 'fuel' ? 'vehicle.fuel' : 'vehicle.charge')}</span>
          <Value s={s} path={levelPath} unit="%" />
        </div>
        <div class="bar" role="meter" aria-label={t(source === 'fuel' ? 'vehicle.fuel' : 'vehicle.charge')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={level ?? 0}>
          <div class={`bar-fill ${level !== undefined && level < 15 ? 'low' : ''} ${levelStale ? 'is-stale' : ''}`} style={{ width: `${Math.max(0, Math.min(100, level ?? 0))}%` }} />
        </div>
        <dl class="facts-inline">
          <div>
            <dt>{t('vehicle.range')}</dt>
            <dd>
              <Value s={s} path={P.fuelRange} scale={0.001} unit="km" />
            </dd>
          </div>
          <div>
            <dt>{t('vehicle.odometer')}</dt>
            <dd>
              <Value s={s} path={P.odometer} unit="km" />
            </dd>
          </div>
        </dl>
      </div>
    </Card>
  );
}

function BodyCard({ app, s, i18n: { t } }: AppProps) {
  const allLocked = POSITIONS.every((p) => s.boolean(doorPath(p, 'IsLocked')) === true);
  const trunkOpen = s.boolean(P.trunkOpen) === true;
  const lockAll = (value: boolean) => void app.actuate('locks', POSITIONS.map((p) => ({ path: doorPath(p, 'IsLocked'), value })));
  return (
    <Card id="body" title={t('vehicle.body')} class="area-body">
      <div class="body-row">
        <CarOutline signals={s} />
        <div class="body-actions">
          <button type="button" class={`action ${allLocked ? 'on' : ''}`} aria-label={t('vehicle.lockAllLabel')} onClick={() => lockAll(true)}>
            <LockIcon size={22} />
            {t('vehicle.lockAll')}
          </button>
          <button type="button" class="action" aria-label={t('vehicle.unlockAllLabel')} onClick={() => lockAll(false)}>
            <UnlockIcon size={22} />
            {t('vehicle.unlockAll')}
          </button>
          <button type="button" class="action" onClick={() => void app.actuate('locks', [{ path: P.trunkOpen, value: !trunkOpen }])}>
            {t(trunkOpen ? 'vehicle.trunkClose' : 'vehicle.trunkOpen')}
          </button>
        </div>
      </div>
      <ActuationNote control="locks" />
    </Card>
  );
}

function ClimateCard({ app, s, i18n: { t, n } }: AppProps) {
  const catalog = useObservable(app.catalog);
  const range = (path: string, min: number, max: number) => ({ min: catalog.get(path)?.min ?? min, max: catalog.get(path)?.max ?? max });
  const set = (path: string, value: number | boolean) => void app.actuate('climate', [{ path, value }]);
  const toggles: Array<[string, MessageKey]> = [
    [P.ac, 'vehicle.ac'],
    [P.recirc, 'vehicle.recirc'],
    [P.defrostFront, 'vehicle.defrostFront'],
    [P.defrostRear, 'vehicle.defrostRear'],
  ];
  return (
    <Card
      id="climate"
      title={t('vehicle.climate')}
      class="area-climate"
      aside={
        <span class="climate-temps">
          <span class="muted">{t('vehicle.inside')}</span> <Value s={s} path={P.cabinTemp} decimals={1} unit="°C" />
          <span class="muted">{t('vehicle.outside')}</span> <Value s={s} path={P.outsideTemp} decimals={1} unit="°C" />
        </span>
      }
    >
      <div class="zones">
        {ZONES.map((zone: Zone) => {
          const zoneName = t(`vehicle.zone.${zone}` as MessageKey);
          const tPath = hvacPath(zone, 'Temperature');
          const fPath = hvacPath(zone, 'FanSpeed');
          const tr = range(tPath, 15, 30);
          const fr = range(fPath, 0, 100);
          const temp = s.number(tPath);
          const fan = s.number(fPath);
          const seat = s.number(seatHeatPath(zone));
          return (
            <div class="zone" key={zone} data-zone={zone}>
              <h3>{zoneName}</h3>
              <Stepper
                label={t('vehicle.tempLabel', { zone: zoneName })}
                value={n(temp, 1)}
                unit={displayUnit('celsius')}
                stale={s.isStale(tPath)}
                decLabel={t('vehicle.coolerLabel', { zone: zoneName })}
                incLabel={t('vehicle.warmerLabel', { zone: zoneName })}
                onDec={() => set(tPath, stepValue(temp, -0.5, tr.min, tr.max, 21))}
                onInc={() => set(tPath, stepValue(temp, 0.5, tr.min, tr.max, 21))}
              />
              <Stepper
                label={`${zoneName} ${t('vehicle.fan')}`}
                value={n(fan)}
                unit="%"
                stale={s.isStale(fPath)}
                decLabel={t('vehicle.fanDownLabel', { zone: zoneName })}
                incLabel={t('vehicle.fanUpLabel', { zone: zoneName })}
                onDec={() => set(fPath, stepValue(fan, -10, fr.min, fr.max, 30))}
                onInc={() => set(fPath, stepValue(fan, 10, fr.min, fr.max, 30))}
              />
              <ToggleButton
                pressed={seat !== undefined && seat > 0}
                stale={s.isStale(seatHeatPath(zone))}
                label={t('vehicle.seatHeatLabel', { zone: zoneName })}
                onToggle={(on) => set(seatHeatPath(zone), on ? 66 : 0)}
              >
                {t('vehicle.seatHeat')}
              </ToggleButton>
            </div>
          );
        })}
      </div>
      <div class="climate-toggles">
        {toggles.map(([path, key]) => (
          <ToggleButton key={path} pressed={s.boolean(path)} stale={s.isStale(path)} label={t(key)} onToggle={(on) => set(path, on)} />
        ))}
      </div>
      <ActuationNote control="climate" />
    </Card>
  );
}

function WarningsCard({ s, i18n: { t } }: Props) {
  const warnings = activeWarnings(s, (pos) => t(positionKey(pos)));
  return (
    <Card id="warnings" title={t('vehicle.warnings')} class="area-warnings">
      {warnings.length === 0 ? (
        <p class="muted">{t('vehicle.noWarnings')}</p>
      ) : (
        <ul class="warnings" data-count={warnings.length}>
          {warnings.map((w) => (
            <li key={w.id} class={w.severity} data-warning={w.id}>
              <WarnIcon size={22} />
              {t(w.key, w.vars)}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function WindowsCard({ app, s, i18n: { t } }: AppProps) {
  return (
    <Card id="windows" title={t('vehicle.doors')} class="area-windows">
      <ul class="window-list">
        {POSITIONS.map((pos) => {
          const posName = t(positionKey(pos));
          const path = doorPath(pos, 'Window.Position');
          const open = s.boolean(doorPath(pos, 'IsOpen')) === true;
          return (
            <li key={pos} data-window={pos}>
              <span class="window-name">
                <strong>{posName}</strong>
                <Value s={s} path={path} unit="%" />
                {/* The door's state: the outline draws open doors; here only an open one is called out. */}
                {open && <span class="door-state warn-text">{t('vehicle.doorOpen')}</span>}
              </span>
              <button type="button" class="action compact" aria-label={t('vehicle.windowOpenLabel', { pos: posName })} onClick={() => void app.actuate('windows', [{ path, value: 100 }])}>
                {t('vehicle.windowOpen')}
              </button>
              <button type="button" class="action compact" aria-label={t('vehicle.windowCloseLabel', { pos: posName })} onClick={() => void app.actuate('windows', [{ path, value: 0 }])}>
                {t('vehicle.windowClose')}
              </button>
            </li>
          );
        })}
      </ul>
      <ActuationNote control="windows" />
    </Card>
  );
}
