import { describe, expect, it } from 'vitest';
import { PARK, decodeAll, requestFrame, run, testVehicle } from '../vehicle/test-support.js';

describe('seats and infotainment', () => {
  it('sets seat heating on request', () => {
    const v = testVehicle();
    const r = v.handleRequestFrame(requestFrame(v, 'HU_Seat_Request', { SeatReq_HeatPassenger: 66 }), 0, 0)!;
    expect(r.outcome.result).toBe('Accepted');
    expect(r.node).toBe('SCM');
    run(v, 0.5, PARK);
    expect(decodeAll(v, v.due(1, 0), 'SCM_SeatStatus')[0]).toEqual({ SCM_SeatHeatDriver: 0, SCM_SeatHeatPassenger: 66 });
  });

  it('changes volume, source and track; refuses UNKNOWN', () => {
    const v = testVehicle();
    const req = (values: Record<string, number>) => v.handleRequestFrame(requestFrame(v, 'HU_Media_Request', values), 0, 0)!.outcome.result;
    expect(req({ MediaReq_Volume: 45 })).toBe('Accepted');
    expect(req({ MediaReq_Source: 11 })).toBe('Accepted'); // BLUETOOTH
    expect(req({ MediaReq_Action: 5 })).toBe('Accepted'); // SKIP_FORWARD
    expect(req({ MediaReq_Source: 0 })).toBe('RejectedRange');
    expect(v.state.infotainment).toMatchObject({ volumePct: 45, source: 'BLUETOOTH', action: 'SKIP_FORWARD', trackNumber: 2 });
    const status = decodeAll(v, v.due(1, 0), 'INFO_MediaStatus')[0]!;
    expect(status).toEqual({ INFO_Volume: 45, INFO_MediaSource: 11, INFO_MediaAction: 5 });
  });

  it('ADAS warns of a lane departure only above 60 km/h without the indicator', () => {
    const v = testVehicle();
    v.state.powertrain.speedKmh = 100;
    v.state.powertrain.selector = 'D';
    run(v, 0.5, { throttle: 0.2 }, { controls: { laneDrift: true } });
    expect(v.state.adas.laneDepartureWarning).toBe(true);
    run(v, 0.5, { throttle: 0.2 }, { controls: { laneDrift: true, turnSignal: 'left' } });
    expect(v.state.adas.laneDepartureWarning).toBe(false);
    run(v, 0.5, { throttle: 0.2 }, { controls: { laneDrift: false, leadGapS: 0.8 } });
    expect(v.state.adas.forwardCollisionWarning).toBe(true);
    expect(decodeAll(v, v.due(2, 0), 'ADAS_Warnings')[0]).toMatchObject({ ADAS_ForwardCollisionWarning: 1, ADAS_LaneDepartureWarning: 0 });
  });
});
