import type { SignalValues } from '@auriga/common';
import { CORNERS, IGNITION_STATES, WIPER_MODES, type Corner, type Travel, type VehicleState } from '../vehicle/state.js';
import { Ecu, bit, busy, policy, type RequestOutcome, type StepContext } from './ecu.js';
import { approach, clamp, lag } from './physics.js';
import { isIgnitionOn } from './powertrain.js';

/** Full window travel takes about 4 s. */
export const WINDOW_RATE_PCT_PER_S = 25;
/** The sunroof needs about 6 s from closed to fully open. */
export const SUNROOF_RATE_PCT_PER_S = 100 / 6;
/** Lock actuators take a moment before the status changes. */
export const LOCK_DELAY_S = 0.3;
/** The trunk latch releases quickly; the power lid needs a few seconds to close. */
export const TRUNK_RELEASE_S = 0.5;
export const TRUNK_CLOSE_S = 3;
/** Opening the trunk is refused above this speed. */
export const MAX_OPEN_SPEED_KMH = 5;

interface Pending {
  at: number;
  apply: () => void;
}

/**
 * Body control module: doors and locks, trunk, windows and sunroof moving at a realistic rate and
 * stopping at their target, lights, wipers and rain sensor, power mode (ignition) and battery.
 */
export class BodyEcu extends Ecu {
  readonly name = 'body';
  readonly transmits = [
    'BCM_DoorStatus', 'BCM_WindowStatus', 'BCM_LightStatus', 'BCM_WiperStatus', 'BCM_PowerMode', 'BCM_ExteriorClimate',
  ] as const;
  private pending: Pending[] = [];
  private trunkMovingUntil = -1;

  constructor(state: VehicleState) {
    super(state);
    const b = this.state.body;
    const needsPower = (): RequestOutcome | undefined =>
      this.state.ignition === 'lock' || this.state.ignition === 'off' ? policy('ignition off') : undefined;
    const window = (corner: Corner) => ({ check: needsPower, apply: (v: number) => (b.windows[corner].target = v) });
    const lock = (corner: Corner) => ({
      check: (v: number) => (v === 1 && b.doorsOpen[corner] ? policy(`door ${corner} is open`) : undefined),
      apply: (v: number) => this.later(LOCK_DELAY_S, () => (b.doorsLocked[corner] = v === 1)),
    });
    const onOff = (set: (on: boolean) => void) => ({ apply: (v: number) => set(v === 1) });

    this.requestHandlers.HU_Body_Request = {
      BodyReq_DoorLock_FL: lock('FL'),
      BodyReq_DoorLock_FR: lock('FR'),
      BodyReq_DoorLock_RL: lock('RL'),
      BodyReq_DoorLock_RR: lock('RR'),
      BodyReq_TrunkOpen: { check: (v) => this.checkTrunk(v === 1), apply: (v) => this.moveTrunk(v === 1) },
      BodyReq_TrunkLock: {
        check: (v) => (v === 1 && b.trunkOpen ? policy('trunk is open') : undefined),
        apply: (v) => this.later(LOCK_DELAY_S, () => (b.trunkLocked = v === 1)),
      },
    };
    this.requestHandlers.HU_Window_Request = {
      WinReq_Pos_FL: window('FL'),
      WinReq_Pos_FR: window('FR'),
      WinReq_Pos_RL: window('RL'),
      WinReq_Pos_RR: window('RR'),
      WinReq_SunroofPos: { check: needsPower, apply: (v) => (b.sunroof.target = v) },
    };
    this.requestHandlers.HU_Lights_Request = {
      LightReq_LowBeam: onOff((on) => (b.lowBeam = on)),
      LightReq_FogFront: onOff((on) => (b.fogFront = on)),
      LightReq_Hazard: onOff((on) => (b.hazard = on)),
      LightReq_Dome: onOff((on) => (b.domeLight = on)),
    };
    this.requestHandlers.HU_Wiper_Request = {
      WiperReq_Mode: { apply: (v) => (b.wiperMode = WIPER_MODES[v]!) },
      WiperReq_WindshieldHeating: onOff((on) => (b.windshieldHeating = on)),
    };
  }

  private later(delayS: number, apply: () => void): void {
    this.pending.push({ at: this.state.simTime + delayS, apply });
  }

  private checkTrunk(open: boolean): RequestOutcome | undefined {
    if (this.state.simTime < this.trunkMovingUntil) return busy('trunk lid is moving');
    if (open && this.state.powertrain.speedKmh > MAX_OPEN_SPEED_KMH) {
      return policy(`vehicle moving at ${this.state.powertrain.speedKmh.toFixed(1)} km/h (max ${MAX_OPEN_SPEED_KMH})`);
    }
    return undefined;
  }

  private moveTrunk(open: boolean): void {
    const b = this.state.body;
    if (open === b.trunkOpen) return;
    const duration = open ? TRUNK_RELEASE_S : TRUNK_CLOSE_S;
    this.trunkMovingUntil = this.state.simTime + duration;
    // Opening a locked trunk from the head unit pops it like the key fob does: unlock, then release.
    this.later(duration, () => {
      b.trunkOpen = open;
      if (open) b.trunkLocked = false;
    });
  }

  step(dt: number, ctx: StepContext): void {
    const b = this.state.body;
    const env = this.state.environment;
    const now = this.state.simTime;
    if (this.pending.length > 0) {
      const due = this.pending.filter((p) => p.at <= now + 1e-9);
      this.pending = this.pending.filter((p) => p.at > now + 1e-9);
      for (const p of due) p.apply();
    }
    const powered = this.state.ignition !== 'lock' && this.state.ignition !== 'off';
    if (powered) {
      for (const c of CORNERS) move(b.windows[c], WINDOW_RATE_PCT_PER_S, dt);
      move(b.sunroof, SUNROOF_RATE_PCT_PER_S, dt);
    }

    const { controls, rng } = ctx;
    if (controls.lowBeam !== undefined) b.lowBeam = controls.lowBeam;
    if (controls.highBeam !== undefined) b.highBeam = controls.highBeam;
    if (controls.wiperMode !== undefined) b.wiperMode = controls.wiperMode;
    if (controls.turnSignal !== undefined) {
      b.turnLeft = controls.turnSignal === 'left';
      b.turnRight = controls.turnSignal === 'right';
    }
    if (controls.doorsOpen) {
      for (const c of CORNERS) {
        const open = controls.doorsOpen[c];
        if (open !== undefined && !(open && b.doorsLocked[c])) b.doorsOpen[c] = open;
      }
    }
    b.highBeam = b.highBeam && b.lowBeam;
    b.parkingLights = b.lowBeam || b.fogFront;

    b.rainSensorPct = env.rainIntensity > 0 ? clamp(env.rainIntensity * 100 + (rng.next() - 0.5) * 6, 0, 100) : 0;
    const daylight = env.night ? 3 : 85 - env.rainIntensity * 35;
    b.lightIntensityPct = lag(b.lightIntensityPct, daylight, 5, dt);

    const running = this.state.powertrain.engineRunning;
    const loadA =
      (b.lowBeam ? 11 : 0) + (b.fogFront ? 9 : 0) + (b.wiperMode !== 'OFF' ? 5 : 0) + (b.windshieldHeating ? 30 : 0) +
      (b.domeLight ? 1 : 0) + (this.state.hvac.defrostRear ? 15 : 0) +
      (this.state.seats.heatDriverPct + this.state.seats.heatPassengerPct) * 0.05 +
      (isIgnitionOn(this.state) ? 12 : 0.05);
    if (running) {
      b.batteryCurrentA = lag(b.batteryCurrentA, clamp(25 - loadA * 0.2, 2, 40), 20, dt);
      b.batteryVoltage = lag(b.batteryVoltage, 14.3, 2, dt);
    } else {
      b.batteryCurrentA = lag(b.batteryCurrentA, -loadA, 1, dt);
      b.batteryVoltage = lag(b.batteryVoltage, 12.6 - loadA * 0.01, 5, dt);
    }
  }

  encode(messageName: string): SignalValues {
    const b = this.state.body;
    switch (messageName) {
      case 'BCM_DoorStatus':
        return {
          BCM_DoorOpen_FL: bit(b.doorsOpen.FL),
          BCM_DoorOpen_FR: bit(b.doorsOpen.FR),
          BCM_DoorOpen_RL: bit(b.doorsOpen.RL),
          BCM_DoorOpen_RR: bit(b.doorsOpen.RR),
          BCM_DoorLocked_FL: bit(b.doorsLocked.FL),
          BCM_DoorLocked_FR: bit(b.doorsLocked.FR),
          BCM_DoorLocked_RL: bit(b.doorsLocked.RL),
          BCM_DoorLocked_RR: bit(b.doorsLocked.RR),
          BCM_TrunkOpen: bit(b.trunkOpen),
          BCM_TrunkLocked: bit(b.trunkLocked),
          BCM_HoodOpen: bit(b.hoodOpen),
        };
      case 'BCM_WindowStatus':
        return {
          BCM_WindowPos_FL: b.windows.FL.position,
          BCM_WindowPos_FR: b.windows.FR.position,
          BCM_WindowPos_RL: b.windows.RL.position,
          BCM_WindowPos_RR: b.windows.RR.position,
          BCM_SunroofPos: b.sunroof.position,
        };
      case 'BCM_LightStatus':
        return {
          BCM_LowBeamOn: bit(b.lowBeam),
          BCM_HighBeamOn: bit(b.highBeam),
          BCM_FogFrontOn: bit(b.fogFront),
          BCM_FogRearOn: bit(b.fogRear),
          BCM_HazardOn: bit(b.hazard),
          BCM_TurnLeftOn: bit(b.turnLeft || b.hazard),
          BCM_TurnRightOn: bit(b.turnRight || b.hazard),
          BCM_ParkingLightsOn: bit(b.parkingLights),
          BCM_DomeLightOn: bit(b.domeLight),
        };
      case 'BCM_WiperStatus':
        return {
          BCM_WiperMode: WIPER_MODES.indexOf(b.wiperMode),
          BCM_FrontWindshieldHeating: bit(b.windshieldHeating),
          BCM_RainIntensity: b.rainSensorPct,
          BCM_WasherFluidLow: bit(b.washerFluidLow),
        };
      case 'BCM_PowerMode':
        return {
          BCM_IgnitionState: IGNITION_STATES.indexOf(this.state.ignition),
          BCM_BatteryVoltage: b.batteryVoltage,
          BCM_BatteryCurrent: b.batteryCurrentA,
        };
      case 'BCM_ExteriorClimate': {
        const env = this.state.environment;
        return {
          BCM_OutsideTemp: env.outsideTempC,
          BCM_OutsideHumidity: env.outsideHumidityPct,
          BCM_LightIntensity: b.lightIntensityPct,
        };
      }
      default:
        throw new Error(`${this.name} does not transmit ${messageName}`);
    }
  }
}

/** Moves a window or the sunroof toward its target at `rate` %/s; stops exactly at the target. */
function move(t: Travel, rate: number, dt: number): void {
  if (t.position !== t.target) t.position = approach(t.position, t.target, rate, dt);
}
