import type { SignalValues } from '@auriga/common';
import type { VehicleState } from '../vehicle/state.js';
import { Ecu, type StepContext } from './ecu.js';

/** Seat control module: front seat heating levels (0..100 %). */
export class SeatEcu extends Ecu {
  readonly name = 'seats';
  readonly transmits = ['SCM_SeatStatus'] as const;

  constructor(state: VehicleState) {
    super(state);
    const s = this.state.seats;
    this.requestHandlers.HU_Seat_Request = {
      SeatReq_HeatDriver: { apply: (v) => (s.heatDriverPct = v) },
      SeatReq_HeatPassenger: { apply: (v) => (s.heatPassengerPct = v) },
    };
  }

  step(_dt: number, _ctx: StepContext): void {}

  encode(messageName: string): SignalValues {
    if (messageName !== 'SCM_SeatStatus') throw new Error(`${this.name} does not transmit ${messageName}`);
    const s = this.state.seats;
    return { SCM_SeatHeatDriver: s.heatDriverPct, SCM_SeatHeatPassenger: s.heatPassengerPct };
  }
}
