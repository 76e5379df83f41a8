import { describe, expect, it } from 'vitest';
import { catalog, createSignalCatalog } from './catalog.js';
import type { SignalSpec } from './types.js';

/** Units as spelled in COVESA VSS units.yaml. */
const VSS_UNITS = new Set([
  'km/h', 'rpm', 'percent', 'celsius', 'kPa', 'm/s^2', 'degrees', 'degrees/s', 'km', 'm', 'l', 'l/100km',
  'V', 'A', 'Nm', 'h', 's',
]);

describe('catalog', () => {
  it('has at least 60 signals, each described and with a VSS unit when it has one', () => {
    expect(catalog.signals.length).toBeGreaterThanOrEqual(60);
    for (const s of catalog.signals) {
      expect(s.description.length, s.path).toBeGreaterThan(10);
      if (s.unit !== undefined) expect(VSS_UNITS.has(s.unit), `${s.path} unit ${s.unit}`).toBe(true);
    }
  });

  it.each([
    ['Vehicle.Speed', 1],
    ['Vehicle.IsMoving', 1],
    ['Vehicle.TraveledDistance', 1],
    ['Vehicle.TraveledDistanceSinceStart', 1],
    ['Vehicle.LowVoltageSystemState', 1],
    ['Vehicle.Acceleration', 3],
    ['Vehicle.AngularVelocity.Yaw', 1],
    ['Vehicle.LowVoltageBattery.CurrentVoltage', 1],
    ['Vehicle.Exterior', 3],
    ['Vehicle.VehicleIdentification', 4],
    ['Vehicle.Powertrain.CombustionEngine', 7],
    ['Vehicle.Powertrain.Transmission', 3],
    ['Vehicle.Powertrain.FuelSystem', 6],
    ['Vehicle.Powertrain.TractionBattery.StateOfCharge.Displayed', 1],
    ['Vehicle.OBD', 3],
    ['Vehicle.Chassis.Brake.PedalPosition', 1],
    ['Vehicle.Chassis.Accelerator.PedalPosition', 1],
    ['Vehicle.Chassis.SteeringWheel.Angle', 1],
    ['Vehicle.Chassis.Axle', 16],
    ['Vehicle.Cabin.Door', 12],
    ['Vehicle.Cabin.Sunroof.Position', 1],
    ['Vehicle.Body.Trunk.Rear', 2],
    ['Vehicle.Body.Lights', 9],
    ['Vehicle.Body.Windshield.Front', 3],
    ['Vehicle.Body.Raindetection.Intensity', 1],
    ['Vehicle.Cabin.HVAC', 11],
    ['Vehicle.Cabin.Seat', 7],
    ['Vehicle.Cabin.Light.IsDomeOn', 1],
    ['Vehicle.Cabin.Infotainment.Media', 3],
    ['Vehicle.ADAS', 11],
  ])('covers %s (%i signals)', (prefix, count) => {
    expect(catalog.subtree(prefix)).toHaveLength(count);
  });

  it('lists exactly the actuators the head unit may request', () => {
    const actuators = catalog.signals.filter((s) => s.kind === 'actuator').map((s) => s.path).sort();
    const doors = ['Row1.DriverSide', 'Row1.PassengerSide', 'Row2.DriverSide', 'Row2.PassengerSide'];
    const expected = [
      ...['Driver', 'Passenger'].flatMap((z) => ['Temperature', 'FanSpeed', 'AirDistribution']
        .map((f) => `Vehicle.Cabin.HVAC.Station.Row1.${z}.${f}`)),
      'Vehicle.Cabin.HVAC.IsAirConditioningActive', 'Vehicle.Cabin.HVAC.IsRecirculationActive',
      'Vehicle.Cabin.HVAC.IsFrontDefrosterActive', 'Vehicle.Cabin.HVAC.IsRearDefrosterActive',
      ...doors.map((d) => `Vehicle.Cabin.Door.${d}.Window.Position`),
      ...doors.map((d) => `Vehicle.Cabin.Door.${d}.IsLocked`),
      'Vehicle.Cabin.Sunroof.Position', 'Vehicle.Body.Trunk.Rear.IsOpen', 'Vehicle.Body.Trunk.Rear.IsLocked',
      'Vehicle.Body.Lights.Beam.Low.IsOn', 'Vehicle.Body.Lights.Fog.Front.IsOn', 'Vehicle.Body.Lights.Hazard.IsSignaling',
      'Vehicle.Cabin.Light.IsDomeOn', 'Vehicle.Body.Windshield.Front.Wiping.Mode', 'Vehicle.Body.Windshield.Front.IsHeatingOn',
      'Vehicle.Cabin.Seat.Row1.DriverSide.Heating', 'Vehicle.Cabin.Seat.Row1.PassengerSide.Heating',
      'Vehicle.Cabin.Infotainment.Media.Volume', 'Vehicle.Cabin.Infotainment.Media.Action',
      'Vehicle.Cabin.Infotainment.Media.Played.Source',
    ].sort();
    expect(actuators).toEqual(expected);
  });

  it('uses the VSS datatypes, units and allowed values of well-known signals', () => {
    expect(catalog.get('Vehicle.Speed')).toMatchObject({ kind: 'sensor', datatype: 'float', unit: 'km/h' });
    expect(catalog.get('Vehicle.Powertrain.CombustionEngine.Speed')).toMatchObject({ datatype: 'uint16', unit: 'rpm' });
    expect(catalog.get('Vehicle.Powertrain.FuelSystem.Range')).toMatchObject({ datatype: 'uint32', unit: 'm' });
    expect(catalog.get('Vehicle.Chassis.Axle.Row1.Wheel.Left.Tire.Pressure')).toMatchObject({ datatype: 'uint16', unit: 'kPa' });
    expect(catalog.get('Vehicle.Cabin.Sunroof.Position')).toMatchObject({ datatype: 'int8', min: -100, max: 100 });
    expect(catalog.get('Vehicle.Body.Windshield.Front.Wiping.Mode')?.allowed)
      .toEqual(['OFF', 'SLOW', 'MEDIUM', 'FAST', 'INTERVAL', 'RAINSENSOR']);
    expect(catalog.get('Vehicle.LowVoltageSystemState')?.allowed).toEqual(['UNDEFINED', 'LOCK', 'OFF', 'ACC', 'ON', 'START']);
    expect(catalog.get('Vehicle.VehicleIdentification.VIN')).toMatchObject({ kind: 'attribute', datatype: 'string' });
    expect(catalog.get('Vehicle.Powertrain.FuelSystem.TankCapacity')).toMatchObject({ kind: 'attribute', unit: 'l' });
  });

  it('get returns undefined for unknown paths and branches', () => {
    expect(catalog.get('Vehicle.Speedo')).toBeUndefined();
    expect(catalog.get('Vehicle.Cabin.HVAC')).toBeUndefined();
  });

  it('subtree matches on dot boundaries only', () => {
    const doors = catalog.subtree('Vehicle.Cabin.Door').map((s) => s.path);
    expect(doors).not.toContain('Vehicle.Cabin.DoorCount');
    expect(doors.every((p) => p.startsWith('Vehicle.Cabin.Door.'))).toBe(true);
    expect(catalog.subtree('Vehicle.Cabin.Door.Row1')).toHaveLength(6);
    expect(catalog.subtree('Vehicle.Cabin.Door.Row1.')).toHaveLength(6);
    expect(catalog.subtree('Vehicle.Speed').map((s) => s.path)).toEqual(['Vehicle.Speed']);
    expect(catalog.subtree('Vehicle.Spe')).toEqual([]);
    expect(catalog.subtree('Vehicle')).toHaveLength(catalog.signals.length);
  });

  describe('checkValue', () => {
    it.each<[string, unknown]>([
      ['Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature', 22.5],
      ['Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature', 15],
      ['Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature', 30],
      ['Vehicle.Body.Windshield.Front.Wiping.Mode', 'RAINSENSOR'],
      ['Vehicle.Body.Lights.Beam.Low.IsOn', false],
      ['Vehicle.Cabin.Sunroof.Position', -100],
      ['Vehicle.VehicleIdentification.VIN', 'W0AURGA15P0000042'],
      ['Vehicle.VehicleIdentification.Year', 2025],
      ['Vehicle.TraveledDistance', 123456.7],
    ])('accepts %s = %j', (path, value) => {
      expect(catalog.checkValue(path, value)).toBeUndefined();
    });

    it.each<[string, unknown, string]>([
      ['Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature', 45,
        'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature must be between 15 and 30 celsius, got 45'],
      ['Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature', 14.5,
        'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature must be between 15 and 30 celsius, got 14.5'],
      ['Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature', '22',
        'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature must be a number, got "22"'],
      ['Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature', Number.NaN,
        'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature must be a number, got NaN'],
      ['Vehicle.Body.Windshield.Front.Wiping.Mode', 'TURBO',
        'Vehicle.Body.Windshield.Front.Wiping.Mode must be one of OFF, SLOW, MEDIUM, FAST, INTERVAL, RAINSENSOR, got "TURBO"'],
      ['Vehicle.Body.Windshield.Front.Wiping.Mode', 'off',
        'Vehicle.Body.Windshield.Front.Wiping.Mode must be one of OFF, SLOW, MEDIUM, FAST, INTERVAL, RAINSENSOR, got "off"'],
      ['Vehicle.Body.Lights.Beam.Low.IsOn', 'true', 'Vehicle.Body.Lights.Beam.Low.IsOn must be a boolean, got "true"'],
      ['Vehicle.Body.Lights.Beam.Low.IsOn', 1, 'Vehicle.Body.Lights.Beam.Low.IsOn must be a boolean, got 1'],
      ['Vehicle.Body.Lights.Beam.Low.IsOn', undefined, 'Vehicle.Body.Lights.Beam.Low.IsOn must be a boolean, got nothing'],
      ['Vehicle.Cabin.Door.Row1.DriverSide.Window.Position', 50.5,
        'Vehicle.Cabin.Door.Row1.DriverSide.Window.Position must be an integer, got 50.5'],
      ['Vehicle.Cabin.Door.Row1.DriverSide.Window.Position', 101,
        'Vehicle.Cabin.Door.Row1.DriverSide.Window.Position must be between 0 and 100 percent, got 101'],
      ['Vehicle.Cabin.Sunroof.Position', -101, 'Vehicle.Cabin.Sunroof.Position must be between -100 and 100 percent, got -101'],
      ['Vehicle.TraveledDistance', -1, 'Vehicle.TraveledDistance must be at least 0 km, got -1'],
      ['Vehicle.VehicleIdentification.Year', 70000, 'Vehicle.VehicleIdentification.Year must be between 0 and 65535, got 70000'],
      ['Vehicle.VehicleIdentification.VIN', 42, 'Vehicle.VehicleIdentification.VIN must be a string, got 42'],
      ['Vehicle.Cabin.Infotainment.Media.Volume', { level: 3 },
        'Vehicle.Cabin.Infotainment.Media.Volume must be a number, got a value of type object'],
      ['Vehicle.Warp.Drive', true, 'Vehicle.Warp.Drive is not a known signal'],
    ])('rejects %s = %j', (path, value, reason) => {
      expect(catalog.checkValue(path, value)).toBe(reason);
    });
  });
});

describe('createSignalCatalog', () => {
  const ok: SignalSpec = { path: 'Vehicle.A', kind: 'sensor', datatype: 'uint8', description: 'A test signal.' };

  it.each<[string, SignalSpec[], string]>([
    ['duplicate paths', [ok, ok], 'Vehicle.A: defined twice'],
    ['a path that is not VSS', [{ ...ok, path: 'vehicle.a' }], 'vehicle.a: not a VSS path'],
    ['min above max', [{ ...ok, min: 5, max: 1 }], 'Vehicle.A: min 5 is above max 1'],
    ['allowed on a number', [{ ...ok, allowed: ['X'] }], 'Vehicle.A: allowed values need datatype string'],
    ['min/max on a boolean', [{ ...ok, datatype: 'boolean', max: 1 }], 'Vehicle.A: min/max need a numeric datatype'],
    ['a range wider than the type', [{ ...ok, max: 300 }], 'Vehicle.A: range does not fit uint8'],
    ['a leaf that is also a branch', [ok, { ...ok, path: 'Vehicle.A.B' }], 'Vehicle.A: is both a signal and a branch'],
    ['no description', [{ ...ok, description: '' }], 'Vehicle.A: missing description'],
  ])('rejects %s', (_what, specs, problem) => {
    expect(() => createSignalCatalog(specs)).toThrow(problem);
  });

  it('copies and freezes the specs it is given', () => {
    const spec = { ...ok };
    const c = createSignalCatalog([spec]);
    spec.description = 'changed';
    expect(c.get('Vehicle.A')?.description).toBe('A test signal.');
    expect(Object.isFrozen(c.get('Vehicle.A'))).toBe(true);
    expect(c.checkValue('Vehicle.A', 256)).toBe('Vehicle.A must be between 0 and 255, got 256');
  });
});
