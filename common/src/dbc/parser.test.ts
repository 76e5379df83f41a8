import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAurigaError } from '../errors.js';
import { parseDbc, type DbcSyntaxError } from './parser.js';

const vectors = readFileSync(new URL('./fixtures/vectors.dbc', import.meta.url), 'utf8');

function syntaxError(text: string, fileName = 'bad.dbc'): DbcSyntaxError {
  try {
    parseDbc(text, { fileName });
  } catch (err) {
    if (isAurigaError(err, 'AURIGA_ERR_DBC_SYNTAX')) return err as DbcSyntaxError;
    throw err;
  }
  throw new Error('expected AURIGA_ERR_DBC_SYNTAX');
}

const HEADER = 'VERSION ""\n\nNS_ :\n\tCM_\n\nBS_:\n\nBU_: A B\n\n';

describe('parseDbc on the vectors file', () => {
  const dbc = parseDbc(vectors, { fileName: 'vectors.dbc' });
  const msg = (name: string) => dbc.messages.find((m) => m.name === name)!;
  const sig = (m: string, s: string) => msg(m).signals.find((x) => x.name === s)!;

  it('reads version, nodes and every message', () => {
    expect(dbc.version).toBe('vectors 1.0');
    expect(dbc.nodes).toEqual(['HU', 'ECU']);
    expect(dbc.messages.map((m) => m.name)).toEqual(['Mixed', 'ExtFloat', 'Wide', 'Long', 'Muxed', 'Request', 'VECTOR__INDEPENDENT_SIG_MSG']);
  });

  it('reads a signal line completely', () => {
    expect(sig('Mixed', 'Temp')).toMatchObject({
      startBit: 51, length: 10, byteOrder: 'big_endian', signed: true, valueType: 'integer',
      factor: 0.5, offset: -40, minimum: -296, maximum: 215.5, unit: 'degC', receivers: ['HU'], isMultiplexer: false,
    });
    expect(sig('Mixed', 'Speed')).toMatchObject({ byteOrder: 'little_endian', signed: false, factor: 0.01 });
  });

  it('keeps comments, including multi-line ones with escaped quotes', () => {
    expect(msg('Mixed').comment).toBe('Mixed byte orders.');
    expect(sig('Mixed', 'Temp').comment).toBe('Coolant temperature.\nSecond line of the comment; with a semicolon and a "quote".');
  });

  it('reads VAL_ choices, SIG_VALTYPE_ and attributes', () => {
    expect(sig('Mixed', 'Gear').choices).toEqual(new Map([[0, 'P'], [1, 'R'], [2, 'N'], [3, 'D'], [5, 'M']]));
    expect(sig('ExtFloat', 'Ratio').valueType).toBe('float32');
    expect(sig('Wide', 'Double').valueType).toBe('float64');
    expect(msg('Mixed').cycleTimeMs).toBe(100);
    expect(msg('Muxed').cycleTimeMs).toBe(20);
    expect(msg('Request').cycleTimeMs).toBeUndefined(); // default 0 = event-driven
    expect(sig('Request', 'Target').startValue).toBe(255);
    expect(sig('Request', 'Fan').startValue).toBe(15);
    expect(sig('Request', 'Request_Counter').startValue).toBe(0); // BA_DEF_DEF_ default
    expect(msg('Wide').fd).toBe(true);
    expect(msg('Mixed').fd).toBeUndefined();
  });

  it('marks signals that do not fit as unusable, with a warning at their line', () => {
    expect(sig('Request', 'TooFar').unusable).toMatch(/does not fit the 4-byte payload/);
    expect(sig('Request', 'BeTooFar').unusable).toMatch(/big-endian/);
    expect(sig('VECTOR__INDEPENDENT_SIG_MSG', 'Orphan').unusable).toMatch(/no payload/);
    expect(dbc.warnings.map((w) => w.line)).toEqual([54, 55, 58]);
    expect(dbc.warnings[0]!.message).toContain('Request.TooFar');
    expect(sig('Request', 'Fan').unusable).toBeUndefined();
  });

  it('keeps the independent-signals pseudo message without an id warning', () => {
    expect(msg('VECTOR__INDEPENDENT_SIG_MSG')).toMatchObject({ extended: true, id: 0x40000000, length: 0 });
  });
});

describe('parseDbc tolerance', () => {
  it('reads files without VERSION/NS_/BS_, with CRLF line ends and a BOM', () => {
    const dbc = parseDbc('\ufeffBO_ 100 M: 8 A\r\n SG_ S : 0|8@1+ (1,0) [0|255] "" B\r\n');
    expect(dbc.messages[0]!.signals[0]!.name).toBe('S');
  });

  it('reads node lists spread over indented lines and NS_ entries written at column 0', () => {
    const dbc = parseDbc('VERSION ""\nNS_ :\nCM_\nBA_\nBS_:\nBU_:\n\tECU1\n\tECU2\nBO_ 1 M: 1 ECU1\n SG_ S : 0|8@1+ (1,0) [0|0] "" ECU2\n');
    expect(dbc.nodes).toEqual(['ECU1', 'ECU2']);
    expect(dbc.messages).toHaveLength(1);
  });

  it('reads 64-byte CAN FD messages to their last bit, and // comments', () => {
    const dbc = parseDbc(HEADER + [
      '// a line comment',
      'BO_ 1 Fd: 64 A // a trailing comment',
      ' SG_ Last : 504|8@1+ (1,0) [0|0] "" B',
      ' SG_ LastBe : 503|8@0+ (1,0) [0|0] "" B',
      ' SG_ Over : 505|8@1+ (1,0) [0|0] "" B',
      'CM_ BO_ 1 "not // a comment";',
    ].join('\n'));
    const [last, lastBe, over] = dbc.messages[0]!.signals;
    expect(dbc.messages[0]).toMatchObject({ length: 64, fd: true, comment: 'not // a comment' });
    expect(last!.unusable).toBeUndefined();
    expect(lastBe!.unusable).toBeUndefined(); // MSB byte62.b7 .. LSB byte62.b0
    expect(over!.unusable).toMatch(/bits 505\.\.512/);
  });

  it('skips sections it does not use, whatever they contain', () => {
    const dbc = parseDbc(HEADER + [
      'BO_ 1 M: 8 A',
      ' SG_ S : 0|8@1+ (1,0) [0|0] "" B',
      'BO_TX_BU_ 1 : A,B;',
      'EV_ Env: 0 [0|10] "" 0 1 DUMMY_NODE_VECTOR0 Vector__XXX;',
      'ENVVAR_DATA_ Env: 4;',
      'SIG_GROUP_ 1 G 1 : S;',
      'BA_DEF_REL_ BU_SG_REL_ "X" STRING ;',
      'BA_DEF_ BO_ "Weird" STRING ;',
      'BA_DEF_DEF_ "Weird" "semi;colon";',
      'BA_ "Weird" BO_ 1 "a;b";',
      'CAT_DEF_ 1 Cat 0;',
      'FILTER 0 A : 1;',
      'VAL_TABLE_ T 1 "one" 0 "zero";',
      'VAL_ Env 0 "off" 1 "on";',
      'SGTYPE_ T : 8@1+ (1,0) [0|0] "" 0 ;',
      'NEWTHING_ 1 2 3 ;',
      'CM_ SG_ 1 S "kept";',
    ].join('\n'));
    expect(dbc.messages[0]!.signals[0]!.comment).toBe('kept');
    expect(dbc.warnings).toEqual([{ line: 25, message: 'skipped unknown section NEWTHING_' }]);
  });

  it('warns about references to messages and signals that do not exist', () => {
    const dbc = parseDbc(HEADER + 'BO_ 1 M: 8 A\n SG_ S : 0|8@1+ (1,0) [0|0] "" B\nVAL_ 80 X 0 "a";\nCM_ SG_ 1 Nope "c";\n');
    expect(dbc.warnings.map((w) => w.line)).toEqual([12, 13]);
    expect(dbc.warnings[0]!.message).toContain('message id 80');
    expect(dbc.warnings[1]!.message).toContain('signal Nope');
  });

  it('makes multiplexed signals without a switch, or with a broken one, unusable', () => {
    const dbc = parseDbc(HEADER + [
      'BO_ 1 NoSwitch: 8 A',
      ' SG_ S m1 : 0|8@1+ (1,0) [0|0] "" B',
      'BO_ 2 BadSwitch: 2 A',
      ' SG_ Sw M : 8|16@1+ (1,0) [0|0] "" B',
      ' SG_ T m1 : 0|8@1+ (1,0) [0|0] "" B',
      'BO_ 3 Loop: 8 A',
      ' SG_ P m1M : 0|4@1+ (1,0) [0|0] "" B',
      ' SG_ Q m1M : 4|4@1+ (1,0) [0|0] "" B',
      'SG_MUL_VAL_ 3 P Q 1-1;',
      'SG_MUL_VAL_ 3 Q P 1-1;',
    ].join('\n'));
    const [noSwitch, badSwitch, loop] = dbc.messages;
    expect(noSwitch!.signals[0]!.unusable).toMatch(/no multiplexer switch/);
    expect(badSwitch!.signals[0]!.unusable).toMatch(/does not fit/);
    expect(badSwitch!.signals[1]!.unusable).toMatch(/switch Sw is unusable/);
    expect(loop!.signals[0]!.unusable).toMatch(/switches form a loop/);
    expect(loop!.signals[1]!.unusable).toMatch(/switch P is unusable/);
  });

  it('warns about repeated ids and names and start values that do not fit', () => {
    const dbc = parseDbc(HEADER + [
      'BO_ 1 M: 8 A',
      ' SG_ S : 0|4@1+ (1,0) [0|0] "" B',
      ' SG_ S : 8|4@1+ (1,0) [0|0] "" B',
      'BO_ 1 N: 8 A',
      'BA_DEF_ SG_ "GenSigStartValue" INT 0 100;',
      'BA_ "GenSigStartValue" SG_ 1 S 16;',
    ].join('\n'));
    expect(dbc.messages[0]!.signals[1]!.unusable).toMatch(/already has a signal named S/);
    expect(dbc.messages[0]!.signals[0]!.startValue).toBeUndefined();
    expect(dbc.warnings.map((w) => w.line)).toEqual([12, 13, 15]);
  });
});

describe('malformed DBC files fail with file, line and what is wrong', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['layout', ' SG_ S : 8|x@1+ (1,0) [0|0] "" B', 11, /^bad\.dbc:11: SG_ expects "start\|length@order" but found "8\|x@1\+" in signal S$/],
    ['byte order', ' SG_ S : 8|8@2+ (1,0) [0|0] "" B', 11, /found "8\|8@2\+"/],
    ['factor', ' SG_ S : 8|8@1+ (1;0) [0|0] "" B', 11, /SG_ expects "\(factor,offset\)" but found "\(1;0\)"/],
    ['range', ' SG_ S : 8|8@1+ (1,0) [0,1] "" B', 11, /SG_ expects "\[minimum\|maximum\]" but found "\[0,1\]"/],
    ['unit', ' SG_ S : 8|8@1+ (1,0) [0|1] km B', 11, /quoted unit/],
    ['multiplexer', ' SG_ S X : 8|8@1+ (1,0) [0|1] "" B', 11, /bad multiplexer indicator "X"/],
  ];
  for (const [what, line, lineNo, pattern] of cases) {
    it(`bad SG_ ${what}`, () => {
      const err = syntaxError(`${HEADER}BO_ 1 M: 8 A\n${line}\n`);
      expect(err.message).toMatch(pattern);
      expect(err.line).toBe(lineNo);
      expect(err.fileName).toBe('bad.dbc');
      expect(err.statusCode).toBe(400);
    });
  }

  it('BO_ with a non-numeric id', () => {
    expect(syntaxError(`${HEADER}BO_ abc M: 8 A\n`).message).toBe('bad.dbc:10: BO_ expects a numeric message id but found "abc"');
  });

  it('BO_ longer than 64 bytes', () => {
    expect(syntaxError(`${HEADER}BO_ 1 M: 65 A\n`).message).toMatch(/^bad\.dbc:10: BO_ M has length 65; a CAN \(FD\) payload is 0\.\.64 bytes$/);
  });

  it('BO_ without a colon', () => {
    expect(syntaxError(`${HEADER}BO_ 1 M 8 A\n`).message).toMatch(/^bad\.dbc:10: BO_ M expects ":" but found "8"/);
  });

  it('SG_ outside a message', () => {
    const err = syntaxError(`${HEADER}CM_ "x";\n SG_ S : 0|8@1+ (1,0) [0|0] "" B\n`);
    expect(err.line).toBe(11);
    expect(err.message).toMatch(/SG_ S is not inside a message/);
  });

  it('a string that is never closed reports the line where it opens', () => {
    const err = syntaxError(`${HEADER}BO_ 1 M: 8 A\nCM_ BO_ 1 "never closed;\n\n\n`);
    expect(err.line).toBe(11);
    expect(err.message).toMatch(/never closed/);
  });

  it('VAL_ with a label that is not quoted', () => {
    expect(syntaxError(`${HEADER}BO_ 1 M: 8 A\n SG_ S : 0|8@1+ (1,0) [0|0] "" B\nVAL_ 1 S 0 off ;\n`).message)
      .toMatch(/^bad\.dbc:12: VAL_ expects value\/label pairs like 1 "On" but found "0" "off"/);
  });

  it('text that is no statement', () => {
    expect(syntaxError(`${HEADER}hello world\n`).message).toMatch(/^bad\.dbc:10: expected a keyword .* but found "hello"$/);
  });

  it('SIG_VALTYPE_ with an unknown type', () => {
    expect(syntaxError(`${HEADER}SIG_VALTYPE_ 1 S : 3;\n`).message).toMatch(/SIG_VALTYPE_ expects 0 \(integer\), 1 \(float32\) or 2 \(float64\) but found "3"/);
  });

  it('SG_MUL_VAL_ with a bad range', () => {
    expect(syntaxError(`${HEADER}SG_MUL_VAL_ 1 S M 3..5;\n`).message).toMatch(/value ranges like 3-5 but found "3\.\.5"/);
  });

  it('CM_ with a missing semicolon before more text on the same line', () => {
    expect(syntaxError(`${HEADER}CM_ BO_ 1 "c" extra;\n`).message).toMatch(/^bad\.dbc:10: CM_ expects ";" but found "extra"/);
  });

  it('defaults the file name', () => {
    expect(() => parseDbc('BO_ x\n')).toThrow(/^<dbc>:1: BO_ expects a numeric message id/);
  });
});
