import { describe, expect, it } from 'vitest';
import { parseDbc } from '../dbc/parser.js';
import { catalog } from '../catalog/catalog.js';
import { isAurigaError } from '../errors.js';
import { compileMapping, type MappingInvalidError, type MappingIssue } from './compile.js';

const DBC = parseDbc(`VERSION ""

NS_ :

BS_:

BU_: HU BCM HVAC

BO_ 256 Body_Status: 4 BCM
 SG_ WiperMode : 0|3@1+ (1,0) [0|7] "" HU
 SG_ LowBeam : 3|1@1+ (1,0) [0|1] "" HU
 SG_ Standstill : 4|1@1+ (1,0) [0|1] "" HU
 SG_ Range : 8|12@1+ (1,0) [0|4095] "km" HU
 SG_ TempSet : 20|8@1+ (0.5,0) [15|30] "degC" HU

BO_ 257 Body_Request: 3 HU
 SG_ WiperReq : 0|3@1+ (1,0) [0|7] "" BCM
 SG_ LowBeamReq : 3|2@1+ (1,0) [0|3] "" BCM
 SG_ TempReq : 8|8@1+ (0.5,0) [15|30] "degC" BCM
 SG_ Req_Counter : 20|4@1+ (1,0) [0|15] "" BCM

BO_ 258 Other_Status: 1 HVAC
 SG_ LowBeam : 0|1@1+ (1,0) [0|1] "" HU

BA_DEF_ SG_ "GenSigStartValue" INT 0 255;
BA_DEF_DEF_ "GenSigStartValue" 0;
BA_ "GenSigStartValue" SG_ 257 WiperReq 7;
BA_ "GenSigStartValue" SG_ 257 LowBeamReq 3;
BA_ "GenSigStartValue" SG_ 257 TempReq 255;

VAL_ 256 WiperMode 0 "OFF" 1 "SLOW" 2 "MEDIUM" 3 "FAST" 7 "SNA" ;
VAL_ 257 WiperReq 0 "OFF" 1 "SLOW" 2 "MEDIUM" 3 "FAST" 7 "NoRequest" ;
VAL_ 257 LowBeamReq 0 "Off" 1 "On" 3 "NoRequest" ;
VAL_ 257 TempReq 255 "NoRequest" ;
`, { fileName: 'test.dbc' });

const VALID = `# a small but complete mapping
Vehicle.Body.Windshield.Front.Wiping.Mode:
  dbc2vss:
    signal: WiperMode
  vss2dbc:
    signal: WiperReq
Vehicle.Body.Lights.Beam.Low.IsOn:
  dbc2vss:
    signal: LowBeam
    message: Body_Status
  vss2dbc:
    signal: LowBeamReq
Vehicle.IsMoving:
  dbc2vss:
    signal: Standstill
    transform:
      mapping:
        - {from: 0, to: true}
        - {from: 1, to: false}
Vehicle.Powertrain.FuelSystem.Range:
  dbc2vss:
    signal: Range
    transform:
      math: "x * 1000"
Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature:
  dbc2vss:
    signal: TempSet
  vss2dbc:
    signal: TempReq
Vehicle.VehicleIdentification.VIN:
  value: TESTVIN0000000001
`;

const compile = (yaml: string) => compileMapping(yaml, DBC, catalog, 'test.yaml');

function issuesOf(yaml: string): readonly MappingIssue[] {
  try {
    compile(yaml);
  } catch (err) {
    expect(isAurigaError(err, 'AURIGA_ERR_MAPPING_INVALID')).toBe(true);
    return (err as MappingInvalidError).issues;
  }
  throw new Error('the mapping compiled but should not');
}

/** The only issue of a mapping with exactly one problem. */
function issueOf(yaml: string): MappingIssue {
  const issues = issuesOf(yaml);
  expect(issues, JSON.stringify(issues)).toHaveLength(1);
  return issues[0]!;
}

const entry = (yaml: string, path: string) => {
  const found = compile(yaml).byPath.get(path);
  if (!found) throw new Error(`no entry for ${path}`);
  return found;
};

describe('compileMapping: transforms', () => {
  const mapping = compile(VALID);
  const get = (path: string) => mapping.byPath.get(path)!;

  it('compiles every entry and indexes them by path and by message', () => {
    expect(mapping.entries.map((e) => e.path)).toEqual([
      'Vehicle.Body.Windshield.Front.Wiping.Mode', 'Vehicle.Body.Lights.Beam.Low.IsOn', 'Vehicle.IsMoving',
      'Vehicle.Powertrain.FuelSystem.Range', 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature',
      'Vehicle.VehicleIdentification.VIN',
    ]);
    expect(mapping.byMessage.get('Body_Status')?.map((e) => e.path)).toHaveLength(5);
    expect(mapping.byMessage.has('Body_Request')).toBe(false);
    expect(get('Vehicle.Body.Lights.Beam.Low.IsOn').read?.message.name).toBe('Body_Status');
    expect(get('Vehicle.Body.Lights.Beam.Low.IsOn').write?.message.name).toBe('Body_Request');
    expect(get('Vehicle.IsMoving').write).toBeUndefined();
  });

  it('reads string enumerations from the DBC VAL_ labels by default; other labels are not available', () => {
    const { read } = get('Vehicle.Body.Windshield.Front.Wiping.Mode');
    expect([0, 1, 2, 3].map((v) => read!.toVss(v))).toEqual(['OFF', 'SLOW', 'MEDIUM', 'FAST']);
    expect(read!.toVss(7)).toBeUndefined(); // SNA
    expect(read!.toVss(5)).toBeUndefined(); // no label
  });

  it('writes string enumerations through the request signal VAL_ labels by default', () => {
    const { write } = get('Vehicle.Body.Windshield.Front.Wiping.Mode');
    expect(write!.toDbc('OFF')).toBe(0);
    expect(write!.toDbc('FAST')).toBe(3);
    expect(() => write!.toDbc('INTERVAL')).toThrow(RangeError);
    expect(() => write!.toDbc('INTERVAL')).toThrow('"INTERVAL" has no equivalent on DBC signal WiperReq');
    expect(() => write!.toDbc('TURBO')).toThrow('must be one of OFF, SLOW, MEDIUM, FAST, INTERVAL, RAINSENSOR, got "TURBO"');
  });

  it('maps booleans as 0 / non-zero by default, both ways', () => {
    const { read, write } = get('Vehicle.Body.Lights.Beam.Low.IsOn');
    expect(read!.toVss(0)).toBe(false);
    expect(read!.toVss(1)).toBe(true);
    expect(write!.toDbc(false)).toBe(0);
    expect(write!.toDbc(true)).toBe(1);
    expect(() => write!.toDbc(1)).toThrow('must be a boolean, got 1');
  });

  it('applies an explicit mapping, unmapped values being not available', () => {
    const { read } = get('Vehicle.IsMoving');
    expect(read!.toVss(0)).toBe(true);
    expect(read!.toVss(1)).toBe(false);
  });

  it('applies math expressions and rounds into integer VSS types', () => {
    expect(get('Vehicle.Powertrain.FuelSystem.Range').read!.toVss(123)).toBe(123_000);
    const rounded = entry(VALID.replace('math: "x * 1000"', 'math: "x * 1000 + 0.4"'), 'Vehicle.Powertrain.FuelSystem.Range');
    expect(rounded.read!.toVss(123)).toBe(123_000);
  });

  it('passes numbers through, without floating-point noise', () => {
    const { read } = get('Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature');
    expect(read!.toVss(22.5)).toBe(22.5);
    expect(read!.toVss(0.1 * 3)).toBe(0.3);
  });

  it('checks requested numbers against the catalog and snaps them to the signal resolution', () => {
    const { write } = get('Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature');
    expect(write!.toDbc(21)).toBe(21);
    expect(write!.toDbc(22.5)).toBe(22.5);
    expect(write!.toDbc(22.3)).toBe(22.5);
    expect(() => write!.toDbc(31)).toThrow(
      new RangeError('Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature must be between 15 and 30 celsius, got 31'));
    expect(() => write!.toDbc('22')).toThrow(RangeError);
  });

  it('keeps attribute constants', () => {
    expect(get('Vehicle.VehicleIdentification.VIN')).toMatchObject({ value: 'TESTVIN0000000001' });
    expect(get('Vehicle.VehicleIdentification.VIN').read).toBeUndefined();
  });

  it('derives vss2dbc as the inverse of a dbc2vss mapping', () => {
    const yaml = VALID.replace(`    signal: WiperMode
`, `    signal: WiperMode
    transform:
      mapping:
        - {from: 0, to: "OFF"}
        - {from: 1, to: SLOW}
        - {from: 2, to: FAST}
        - {from: 3, to: FAST}
        - {from: 7, to: null}
`);
    const { read, write } = entry(yaml, 'Vehicle.Body.Windshield.Front.Wiping.Mode');
    expect(read!.toVss(2)).toBe('FAST');
    expect(read!.toVss(3)).toBe('FAST');
    expect(read!.toVss(7)).toBeUndefined();
    expect(write!.toDbc('OFF')).toBe(0);
    expect(write!.toDbc('FAST')).toBe(2); // first occurrence wins
    expect(() => write!.toDbc('MEDIUM')).toThrow(RangeError);
  });

  it('uses an explicit vss2dbc mapping and never encodes the NoRequest value', () => {
    const yaml = VALID.replace(`    signal: WiperReq
`, `    signal: WiperReq
    transform:
      mapping:
        - {from: "OFF", to: 0}
        - {from: SLOW, to: 3}
        - {from: RAINSENSOR, to: 7}
`);
    const { write } = entry(yaml, 'Vehicle.Body.Windshield.Front.Wiping.Mode');
    expect(write!.toDbc('SLOW')).toBe(3);
    expect(() => write!.toDbc('RAINSENSOR')).toThrow('"RAINSENSOR" would encode the NoRequest value of WiperReq');
  });

  it('uses an explicit vss2dbc math transform', () => {
    const yaml = VALID.replace(`    signal: TempReq
`, `    signal: TempReq
    transform:
      math: "x - 0.5"
`);
    expect(entry(yaml, 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature').write!.toDbc(22)).toBe(21.5);
  });
});

describe('compileMapping: errors carry file and line', () => {
  it('reports the code, the file name and the line in the message', () => {
    try {
      compile('Vehicle.Sped:\n  dbc2vss:\n    signal: Range\n');
      throw new Error('compiled');
    } catch (err) {
      expect(isAurigaError(err, 'AURIGA_ERR_MAPPING_INVALID')).toBe(true);
      expect((err as MappingInvalidError).statusCode).toBe(400);
      expect((err as Error).message).toBe('test.yaml:1: unknown VSS path Vehicle.Sped (did you mean Vehicle.Speed?)');
    }
  });

  it('reports every problem at once, each with its line', () => {
    const yaml = VALID
      .replace('    signal: WiperReq', '    signal: WiperRequest')
      .replace('    signal: Range', '    signal: Rang')
      .replace('  value: TESTVIN0000000001', '  value: 17');
    const issues = issuesOf(yaml);
    expect(issues).toEqual([
      { line: 6, message: 'unknown DBC signal WiperRequest (did you mean WiperReq?)' },
      { line: 22, message: 'unknown DBC signal Rang (did you mean Range?)' },
      { line: 31, message: 'Vehicle.VehicleIdentification.VIN value: Vehicle.VehicleIdentification.VIN must be a string, got 17' },
    ]);
    try {
      compile(yaml);
    } catch (err) {
      expect((err as Error).message).toBe([
        'test.yaml: 3 problems',
        '  test.yaml:6: unknown DBC signal WiperRequest (did you mean WiperReq?)',
        '  test.yaml:22: unknown DBC signal Rang (did you mean Range?)',
        '  test.yaml:31: Vehicle.VehicleIdentification.VIN value: Vehicle.VehicleIdentification.VIN must be a string, got 17',
      ].join('\n'));
    }
  });

  it.each<[string, string, number, string | RegExp]>([
    ['YAML syntax error', 'Vehicle.Speed:\n  dbc2vss: {signal: Range\n', 3, /^YAML syntax: /],
    ['duplicate YAML keys', 'Vehicle.Speed:\n  dbc2vss: {signal: Range}\nVehicle.Speed:\n  dbc2vss: {signal: Range}\n', 3,
      /^YAML syntax: .*unique/],
    ['an empty file', '# nothing\n', 1, /must be a YAML map of VSS paths/],
    ['a list at the top', '- Vehicle.Speed\n', 1, /must be a YAML map of VSS paths/],
    ['an unknown VSS path', 'Vehicle.Speed: {dbc2vss: {signal: Range}}\nVehicle.Warp.Drive:\n  value: 1\n', 2,
      'unknown VSS path Vehicle.Warp.Drive'],
    ['a branch instead of a signal', 'Vehicle.Cabin.HVAC:\n  dbc2vss: {signal: TempSet}\n', 1,
      'Vehicle.Cabin.HVAC is a branch, not a signal; map its signals one by one'],
    ['an unknown entry key', 'Vehicle.Speed:\n  dbc2vss: {signal: Range}\n  vss2can: {signal: Range}\n', 3,
      'Vehicle.Speed has an unknown key "vss2can" (allowed: dbc2vss, vss2dbc, value)'],
    ['an unknown block key', 'Vehicle.Speed:\n  dbc2vss:\n    signal: Range\n    scale: 2\n', 4,
      'Vehicle.Speed dbc2vss has an unknown key "scale" (allowed: signal, message, transform)'],
    ['a block without signal', 'Vehicle.Speed:\n  dbc2vss:\n    message: Body_Status\n', 3, 'Vehicle.Speed dbc2vss needs a signal'],
    ['an empty block', 'Vehicle.Speed:\n  dbc2vss:\n', 2, 'Vehicle.Speed dbc2vss must be a map with signal, optional message and optional transform'],
    ['an unknown DBC message', 'Vehicle.Speed:\n  dbc2vss:\n    signal: Range\n    message: Body_Stat\n', 4,
      'unknown DBC message Body_Stat (did you mean Body_Status?)'],
    ['a signal not in the message', 'Vehicle.Speed:\n  dbc2vss:\n    signal: Range\n    message: Other_Status\n', 3,
      'DBC message Other_Status has no signal Range'],
    ['an ambiguous signal name', 'Vehicle.Body.Lights.Beam.High.IsOn:\n  dbc2vss:\n    signal: LowBeam\n', 3,
      'DBC signal LowBeam is ambiguous: it is in messages Body_Status, Other_Status; add message: to choose one'],
    ['an actuator without vss2dbc', 'Vehicle.Body.Lights.Beam.Low.IsOn:\n  dbc2vss: {signal: LowBeam, message: Body_Status}\n', 1,
      'Vehicle.Body.Lights.Beam.Low.IsOn is an actuator and needs vss2dbc (how it is requested)'],
    ['an actuator without dbc2vss', 'Vehicle.Body.Lights.Beam.Low.IsOn:\n  vss2dbc: {signal: LowBeamReq}\n', 1,
      'Vehicle.Body.Lights.Beam.Low.IsOn needs dbc2vss (how its state is read from the bus)'],
    ['a sensor with vss2dbc', 'Vehicle.IsMoving:\n  dbc2vss: {signal: Standstill}\n  vss2dbc: {signal: LowBeamReq}\n', 3,
      'Vehicle.IsMoving is a sensor; only actuators have vss2dbc'],
    ['value: on a sensor', 'Vehicle.Speed:\n  value: 3\n', 2, 'Vehicle.Speed is a sensor; value: is only for attributes'],
    ['an attribute with nothing', 'Vehicle.VehicleIdentification.VIN:\n  {}\n', 1, 'Vehicle.VehicleIdentification.VIN needs dbc2vss or value:'],
    ['an attribute with value and dbc2vss', 'Vehicle.VehicleIdentification.Year:\n  value: 2025\n  dbc2vss: {signal: Range}\n', 2,
      'Vehicle.VehicleIdentification.Year: give either value: or dbc2vss, not both'],
    ['a transform with math and mapping', 'Vehicle.Speed:\n  dbc2vss:\n    signal: Range\n    transform:\n      math: "x"\n      mapping: []\n', 5,
      'Vehicle.Speed dbc2vss.transform must have exactly one of math or mapping'],
    ['a transform with an unknown kind', 'Vehicle.Speed:\n  dbc2vss:\n    signal: Range\n    transform: {scale: 2}\n', 4,
      'Vehicle.Speed dbc2vss.transform must have exactly one of math or mapping'],
    ['an empty mapping', 'Vehicle.Speed:\n  dbc2vss:\n    signal: Range\n    transform: {mapping: []}\n', 4,
      'Vehicle.Speed dbc2vss.transform.mapping must be a non-empty list of {from, to}'],
    ['a mapping item without to', 'Vehicle.IsMoving:\n  dbc2vss:\n    signal: Standstill\n    transform:\n      mapping:\n        - {from: 0}\n', 6,
      'Vehicle.IsMoving dbc2vss.transform.mapping items must have exactly from and to'],
    ['an enum value the catalog does not allow',
      'Vehicle.Body.Windshield.Front.Wiping.Mode:\n  dbc2vss:\n    signal: WiperMode\n    transform:\n      mapping:\n        - {from: 0, to: "OFF"}\n        - {from: 1, to: TURBO}\n  vss2dbc: {signal: WiperReq}\n',
      7, 'Vehicle.Body.Windshield.Front.Wiping.Mode dbc2vss mapping to: Vehicle.Body.Windshield.Front.Wiping.Mode must be one of OFF, SLOW, MEDIUM, FAST, INTERVAL, RAINSENSOR, got "TURBO"'],
    ['a boolean mapped to a string', 'Vehicle.IsMoving:\n  dbc2vss:\n    signal: Standstill\n    transform:\n      mapping:\n        - {from: 0, to: "yes"}\n', 6,
      'Vehicle.IsMoving dbc2vss mapping to: Vehicle.IsMoving must be a boolean, got "yes"'],
    ['a DBC value twice', 'Vehicle.IsMoving:\n  dbc2vss:\n    signal: Standstill\n    transform:\n      mapping:\n        - {from: 0, to: true}\n        - {from: 0, to: false}\n', 7,
      'Vehicle.IsMoving dbc2vss maps DBC value 0 twice'],
    ['a DBC value the signal cannot carry', 'Vehicle.IsMoving:\n  dbc2vss:\n    signal: Standstill\n    transform:\n      mapping:\n        - {from: 2, to: true}\n', 6,
      'Vehicle.IsMoving dbc2vss mapping from: 2 is outside what Standstill can carry (0 to 1)'],
    ['a DBC value off the resolution', 'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature:\n  dbc2vss:\n    signal: TempSet\n    transform:\n      mapping:\n        - {from: 20.2, to: 20}\n  vss2dbc: {signal: TempReq}\n', 6,
      "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature dbc2vss mapping from: 20.2 is not a multiple of the signal's resolution 0.5"],
    ['a math syntax error', 'Vehicle.Speed:\n  dbc2vss:\n    signal: Range\n    transform:\n      math: "x * (2 +"\n', 5,
      'Vehicle.Speed dbc2vss.transform.math "x * (2 +": expression ends too early at column 9'],
    ['math with an unknown name', 'Vehicle.Speed:\n  dbc2vss:\n    signal: Range\n    transform:\n      math: "sqrt(x)"\n', 5,
      /unknown name "sqrt" \(only x and floor, ceil, round, abs, min, max are allowed\) at column 1$/],
    ['math on a string enumeration', 'Vehicle.LowVoltageSystemState:\n  dbc2vss:\n    signal: WiperMode\n    transform: {math: "x"}\n', 3,
      'Vehicle.LowVoltageSystemState dbc2vss: math transforms need a numeric VSS type, Vehicle.LowVoltageSystemState is string; use mapping'],
    ['an enumeration without VAL_ labels or mapping', 'Vehicle.LowVoltageSystemState:\n  dbc2vss:\n    signal: Range\n', 3,
      /Vehicle.LowVoltageSystemState is a string enumeration but DBC signal Range has no VAL_ label among UNDEFINED, LOCK/],
    ['a math read without a write transform',
      'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature:\n  dbc2vss:\n    signal: TempSet\n    transform: {math: "x + 0"}\n  vss2dbc:\n    signal: TempReq\n', 6,
      'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature vss2dbc needs a transform: dbc2vss uses math, which cannot be inverted automatically'],
    ['a request signal too small for the catalog range',
      'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature:\n  dbc2vss:\n    signal: TempSet\n  vss2dbc:\n    signal: WiperReq\n', 5,
      /vss2dbc cannot encode 15: .*15 is outside what WiperReq can carry \(0 to 7\)/],
    ['an unusable inverse', 'Vehicle.Body.Windshield.Front.Wiping.Mode:\n  dbc2vss:\n    signal: WiperMode\n    transform:\n      mapping:\n        - {from: 5, to: SLOW}\n  vss2dbc: {signal: LowBeamReq}\n', 6,
      /the inverse of dbc2vss would request "SLOW" as 5, but 5 is outside what LowBeamReq can carry/],
  ])('rejects %s', (_what, yaml, line, message) => {
    const issue = issueOf(yaml);
    expect(issue.line).toBe(line);
    if (typeof message === 'string') expect(issue.message).toBe(message);
    else expect(issue.message).toMatch(message);
  });
});
