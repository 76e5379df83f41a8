import type { SignalValues } from '@auriga/common';
import { MEDIA_ACTIONS, MEDIA_SOURCES, type VehicleState } from '../vehicle/state.js';
import { Ecu, type RequestOutcome, type StepContext } from './ecu.js';

const rangeError = (reason: string): RequestOutcome => ({ result: 'RejectedRange', reason });

/** Media unit and amplifier: volume, source, transport actions (skip changes the track number). */
export class InfotainmentEcu extends Ecu {
  readonly name = 'infotainment';
  readonly transmits = ['INFO_MediaStatus'] as const;

  constructor(state: VehicleState) {
    super(state);
    const m = this.state.infotainment;
    this.requestHandlers.HU_Media_Request = {
      MediaReq_Volume: { apply: (v) => (m.volumePct = v) },
      MediaReq_Source: {
        check: (v) => (v === 0 ? rangeError('UNKNOWN is not a selectable source') : undefined),
        apply: (v) => (m.source = MEDIA_SOURCES[v]!),
      },
      MediaReq_Action: {
        check: (v) => (v === 0 ? rangeError('UNKNOWN is not an action') : undefined),
        apply: (v) => {
          const action = MEDIA_ACTIONS[v]!;
          if (action === 'SKIP_FORWARD') m.trackNumber++;
          if (action === 'SKIP_BACKWARD') m.trackNumber = Math.max(1, m.trackNumber - 1);
          m.action = action;
        },
      },
    };
  }

  step(_dt: number, _ctx: StepContext): void {}

  encode(messageName: string): SignalValues {
    if (messageName !== 'INFO_MediaStatus') throw new Error(`${this.name} does not transmit ${messageName}`);
    const m = this.state.infotainment;
    return {
      INFO_Volume: m.volumePct,
      INFO_MediaSource: MEDIA_SOURCES.indexOf(m.source),
      INFO_MediaAction: MEDIA_ACTIONS.indexOf(m.action),
    };
  }
}
