import { useI18n } from '../state/hooks.js';
import type { SignalStore } from '../state/signals.js';
import { doorPath, positionKey, POSITIONS, tyrePath, type Position } from '../state/vehicle.js';

/** Where each corner sits in the 240 x 340 drawing. */
const CORNER: Record<Position, { wheelX: number; wheelY: number; labelX: number; anchor: 'end' | 'start'; door: string; lockX: number; lockY: number }> = {
  frontLeft: { wheelX: 56, wheelY: 70, labelX: 44, anchor: 'end', door: 'M66 122 L66 178', lockX: 80, lockY: 150 },
  frontRight: { wheelX: 172, wheelY: 70, labelX: 196, anchor: 'start', door: 'M174 122 L174 178', lockX: 160, lockY: 150 },
  rearLeft: { wheelX: 56, wheelY: 238, labelX: 44, anchor: 'end', door: 'M66 186 L66 240', lockX: 80, lockY: 213 },
  rearRight: { wheelX: 172, wheelY: 238, labelX: 196, anchor: 'start', door: 'M174 186 L174 240', lockX: 160, lockY: 213 },
};

/**
 * The car from above: tyre pressures at the wheels (low ones in the warning colour), open doors
 * drawn swung out, a lock mark per door. A text list beside it says the same for screen readers.
 */
export function CarOutline(props: { signals: SignalStore }) {
  const { t, n } = useI18n();
  const s = props.signals;
  return (
    <figure class="car-figure">
      <svg class="car-outline" viewBox="0 0 240 320" role="img" aria-label={t('vehicle.car')}>
        {/* body */}
        <rect x="66" y="30" width="108" height="260" rx="40" class="car-body" />
        <path d="M78 104 Q120 86 162 104 L156 124 Q120 112 84 124 Z" class="car-glass" />
        <path d="M84 250 Q120 262 156 250 L160 268 Q120 282 80 268 Z" class="car-glass" />
        {POSITIONS.map((pos) => {
          const c = CORNER[pos];
          const pressure = s.number(tyrePath(pos, 'Pressure'));
          const pStale = s.isStale(tyrePath(pos, 'Pressure'));
          const low = s.boolean(tyrePath(pos, 'IsPressureLow')) === true && !s.isStale(tyrePath(pos, 'IsPressureLow'));
          const open = s.boolean(doorPath(pos, 'IsOpen')) === true;
          const locked = s.boolean(doorPath(pos, 'IsLocked'));
          const left = c.anchor === 'end';
          const swung = left ? `M66 ${c.door.split(' ')[1]} l-30 30` : `M174 ${c.door.split(' ')[1]} l30 30`;
          return (
            <g key={pos} data-corner={pos}>
              <rect x={c.wheelX} y={c.wheelY} width="12" height="36" rx="4" class={`car-wheel ${low ? 'low' : ''}`} />
              <text x={c.labelX} y={c.wheelY + 16} text-anchor={c.anchor} class={`car-label ${low ? 'low' : ''} ${pStale ? 'is-stale' : ''}`}>
                {pressure !== undefined ? n(pressure) : '—'}
              </text>
              <text x={c.labelX} y={c.wheelY + 34} text-anchor={c.anchor} class="car-unit">
                kPa
              </text>
              {open ? <path d={swung} class="car-door open" /> : <path d={c.door} class="car-door" />}
              {locked !== undefined && (
                <g class={`car-lock ${locked ? 'locked' : 'unlocked'}`} transform={`translate(${c.lockX - 6} ${c.lockY - 8})`}>
                  <rect x="0" y="6" width="12" height="10" rx="2" />
                  <path d={locked ? 'M3 6 V3 a3 3 0 0 1 6 0 V6' : 'M3 6 V3 a3 3 0 0 1 5.5 -1.5'} />
                </g>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="visually-hidden">
        <ul>
          {POSITIONS.map((pos) => (
            <li key={pos}>
              {t(positionKey(pos))}: {n(s.number(tyrePath(pos, 'Pressure')))} kPa,{' '}
              {s.boolean(doorPath(pos, 'IsOpen')) ? t('vehicle.doorOpen') : t('vehicle.doorClosed')},{' '}
              {s.boolean(doorPath(pos, 'IsLocked')) ? t('vehicle.locked') : t('vehicle.unlocked')}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
