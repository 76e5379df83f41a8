/** COVESA VSS data types used by the catalog. */
export type VssDataType =
  | 'boolean' | 'string'
  | 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32'
  | 'float' | 'double';

/** sensor: read from the car; actuator: can be requested (and read back); attribute: static. */
export type VssKind = 'sensor' | 'actuator' | 'attribute';

export interface SignalSpec {
  /** Full VSS path, e.g. Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature */
  path: string;
  kind: VssKind;
  datatype: VssDataType;
  /** VSS unit symbol: km/h, rpm, percent, celsius, kPa, m/s^2, degrees, km, l, ... */
  unit?: string;
  min?: number;
  max?: number;
  /** For string enumerations: the allowed values. */
  allowed?: readonly string[];
  description: string;
}

export type SignalValue = number | boolean | string;
