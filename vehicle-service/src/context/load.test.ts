import { isAurigaError } from '@auriga/common';
import { describe, expect, it } from 'vitest';
import { compileContext } from './compile.js';
import type { LocatedContextError } from './errors.js';
import { loadContextFile, parseContext, withSlotValues } from './load.js';
import { enumerateSentences } from './sentences.js';

const AURIGA = `
context:
  name: garage
  language: en-GB
  intents:
    openDoor:
      description: Open a garage door.
      slots: { door: door }
      expressions:
        - "open (the) $door"
        - "@open the $door:door (please)"
    setLevel:
      - "set (the) light to $level:brightness"
      - "light $pv.SingleDigitInteger:step"
  slots:
    door:
      - left
      - { value: right, synonyms: [right hand, second] }
      - { value: both, phrases: [all doors, every door], number: 2 }
  numbers:
    level: { kind: percent, min: 10, max: 90 }
  macros:
    open: [open, raise]
`;

const RHINO = `context:
  expressions:
    changeLightState:
      - (please) [switch, turn] $state:state (the) $location:location (lights)
      - "@shut (the) lights"
    setBrightness:
      - set (the) brightness to $pv.Percent:brightness
  slots:
    state:
      - "on"
      - "off"
    location:
      - kitchen
      - living room
  macros:
    shut:
      - shut off
      - switch off
`;

function contextErrorOf(fn: () => unknown): LocatedContextError {
  try {
    fn();
  } catch (error) {
    if (isAurigaError(error, 'AURIGA_ERR_CONTEXT_INVALID')) return error as LocatedContextError;
    throw error;
  }
  throw new Error('expected AURIGA_ERR_CONTEXT_INVALID');
}

function texts(yaml: string, intent?: string): string[] {
  const compiled = compileContext(parseContext(yaml));
  return enumerateSentences(compiled, { limit: 10_000, ...(intent ? { intents: [intent] } : {}) }).map((s) => s.text).sort();
}

describe('parseContext: Auriga format', () => {
  it('reads intents, declared slots, list and number slot types, macros and descriptions', () => {
    const def = parseContext(AURIGA, { fileName: 'garage.yaml' });
    expect(def.format).toBe('auriga');
    expect(def.name).toBe('garage');
    expect(def.language).toBe('en-GB');
    expect(def.intents.map((i) => i.name)).toEqual(['openDoor', 'setLevel']);
    const open = def.intents[0]!;
    expect(open.description).toBe('Open a garage door.');
    expect(open.slots).toEqual({ door: ['door'] });
    expect(open.line).toBe(6);
    expect(open.expressions[0]!.source).toBe('open (the) $door');
    expect(open.expressions[0]!.line).toBe(10);
    expect(def.intents[1]!.slots).toEqual({ brightness: ['level'], step: ['pv.SingleDigitInteger'] });
    expect(def.slotTypes['door']).toEqual({
      kind: 'list',
      name: 'door',
      values: [
        { value: 'left', phrases: [['left']] },
        { value: 'right', phrases: [['right'], ['right', 'hand'], ['second']] },
        { value: 'both', phrases: [['all', 'doors'], ['every', 'door']], number: 2 },
      ],
    });
    expect(def.slotTypes['level']).toMatchObject({ kind: 'number', numberKind: 'percent', min: 10, max: 90, halves: false });
    expect(def.slotTypes['pv.SingleDigitInteger']).toMatchObject({ kind: 'number', min: 0, max: 9, builtin: true });
    expect(def.warnings).toEqual([]);
  });

  it('expands optional parts, choices, macros and synonyms into the right sentences', () => {
    const doors = ['left', 'right', 'right hand', 'second', 'all doors', 'every door'];
    const expected = new Set<string>();
    for (const door of doors) {
      for (const the of ['the ', '']) expected.add(`open ${the}${door}`);
      for (const verb of ['open', 'raise']) for (const please of [' please', '']) expected.add(`${verb} the ${door}${please}`);
    }
    expect(texts(AURIGA, 'openDoor')).toEqual([...expected].sort());
    const levels = texts(AURIGA, 'setLevel');
    expect(levels).toContain('set the light to ten percent');
    expect(levels).toContain('set light to ninety per cent');
    expect(levels).not.toContain('set the light to nine percent');
    expect(levels).toContain('light nine');
    expect(levels).toHaveLength(2 * 2 * 81 + 10);
  });

  it('defaults the name to the file name and the language to en-US', () => {
    const def = parseContext('context:\n  intents:\n    hi: [hello]\n', { fileName: '/x/y/greetings.yaml' });
    expect(def.name).toBe('greetings');
    expect(def.language).toBe('en-US');
  });

  it('warns about unused slot types and declared slots', () => {
    const def = parseContext(
      'context:\n  intents:\n    a:\n      slots: { x: color }\n      expressions: [go]\n  slots:\n    color: [red]\n',
    );
    expect(def.warnings).toEqual(["intent 'a' declares slot 'x' but no expression uses it"]);
  });
});

describe('parseContext: Rhino format', () => {
  it('is detected from its keys and keeps Rhino semantics: (a) optional, [a, b] required, $type:name, @macro', () => {
    const def = parseContext(RHINO, { fileName: 'lights.yaml' });
    expect(def.format).toBe('rhino');
    expect(def.name).toBe('lights');
    expect(def.language).toBe('en-US');
    expect(def.intents.map((i) => i.name)).toEqual(['changeLightState', 'setBrightness']);
    expect(def.intents[0]!.slots).toEqual({ state: ['state'], location: ['location'] });
    const said = texts(RHINO, 'changeLightState');
    expect(said).toContain('please switch on the kitchen lights');
    expect(said).toContain('turn off living room');
    expect(said).toContain('shut off the lights');
    expect(said).toContain('switch off lights');
    // [switch, turn] is required, the slots cannot be left out, (please) may be.
    expect(said).not.toContain('on the kitchen lights');
    expect(said).not.toContain('please switch the kitchen lights');
    expect(said.every((t) => /^(please )?(switch|turn|shut off|switch off) /.test(t))).toBe(true);
    // 2 (please) x 2 verbs x 2 states x 2 (the) x 2 locations x 2 (lights) + 2 macro phrases x 2 (the)
    expect(said).toHaveLength(64 + 4);
    const brightness = texts(RHINO, 'setBrightness');
    expect(brightness).toContain('set the brightness to one hundred percent');
    expect(brightness).toContain('set brightness to a hundred per cent');
    // (the) x (101 values + "a hundred") x (percent, per cent)
    expect(brightness).toHaveLength(2 * 102 * 2);
  });

  it('says values in lowercase but reports them as the context spells them', () => {
    const yaml = 'context:\n  expressions:\n    callContact:\n      - "@call $contacts:contact"\n  slots:\n    contacts:\n      - Mom\n      - John  Smith\n  macros:\n    call:\n      - ring\n      - call\n';
    const sentences = enumerateSentences(compileContext(parseContext(yaml)));
    expect(sentences).toContainEqual({ text: 'ring mom', intent: 'callContact', slots: { contact: 'Mom' }, numbers: {} });
    expect(sentences).toContainEqual({ text: 'call john smith', intent: 'callContact', slots: { contact: 'John Smith' }, numbers: {} });
    expect(sentences).toHaveLength(4);
  });

  it('ignores unknown Rhino keys with a warning instead of failing', () => {
    const def = parseContext('context:\n  expressions:\n    hi: [hello]\n  version: 3\n', { fileName: 'r.yaml' });
    expect(def.warnings).toEqual(["r.yaml:4:3: unknown Rhino key 'version' ignored"]);
  });
});

describe('malformed contexts fail with the line and what is wrong', () => {
  const cases: { name: string; yaml: string; line: number; column?: number; message: RegExp }[] = [
    {
      name: 'unknown slot type',
      yaml: 'context:\n  expressions:\n    order:\n      - "get me a $sizes:size coffee"\n  slots:\n    size: [small]\n',
      line: 4,
      column: 19,
      message: /unknown slot type 'sizes' in '\$sizes:size' \(known: size, pv\./,
    },
    {
      name: 'unclosed bracket',
      yaml: 'context:\n  intents:\n    a:\n      - "turn (on the lights"\n',
      line: 4,
      column: 15,
      message: /unbalanced brackets: '\(' at column 6 is never closed/,
    },
    {
      name: 'closing bracket without opening',
      yaml: 'context:\n  intents:\n    a:\n      - hello\n      - turn on] the lights\n',
      line: 5,
      column: 16,
      message: /unbalanced brackets: '\]' without a matching '\['/,
    },
    {
      name: 'mismatched brackets',
      yaml: 'context:\n  intents:\n    a:\n      - "[turn, switch) on"\n',
      line: 4,
      column: 23,
      message: /'\[' at column 1 is closed by '\)'/,
    },
    {
      name: 'empty intent',
      yaml: 'context:\n  intents:\n    a: [hello]\n    b:\n    c: [bye]\n',
      line: 4,
      column: 5,
      message: /intent 'b' is empty/,
    },
    {
      name: 'intent with an empty expression list',
      yaml: 'context:\n  intents:\n    a:\n      description: nothing\n      expressions: []\n',
      line: 3,
      message: /intent 'a' is empty/,
    },
    {
      name: 'duplicate intent',
      yaml: 'context:\n  expressions:\n    a: [hello]\n    b: [bye]\n    a: [hi]\n',
      line: 5,
      column: 5,
      message: /duplicate intent 'a' in 'expressions' \(first at line 3\)/,
    },
    {
      name: 'YAML syntax error',
      yaml: 'context:\n  intents:\n    a: [hello\n    b: [bye]\n',
      line: 4,
      message: /YAML syntax error/,
    },
    {
      name: 'unsupported built-in',
      yaml: 'context:\n  expressions:\n    spell:\n      - spell $pv.Alphanumeric:code\n',
      line: 4,
      column: 15,
      message: /built-in slot type 'pv.Alphanumeric' .* is not supported/,
    },
    {
      name: 'digits in an expression',
      yaml: 'context:\n  intents:\n    a:\n      - set it to 21\n',
      line: 4,
      column: 19,
      message: /'21' is not a word.*spell numbers out/,
    },
    {
      name: 'the same slot twice in one expression',
      yaml: 'context:\n  intents:\n    a:\n      - from $city:place to $city:place\n  slots:\n    city: [paris, rome]\n',
      line: 4,
      message: /slot 'place' appears twice/,
    },
    {
      name: 'an expression that can be empty',
      yaml: 'context:\n  intents:\n    a:\n      - hello\n      - (please)\n',
      line: 5,
      message: /can be said as nothing/,
    },
    {
      name: 'a typo in a key of the Auriga format',
      yaml: 'context:\n  intents:\n    a: [hello]\n  slot:\n    x: [y]\n',
      line: 4,
      column: 3,
      message: /unknown key 'slot' in 'context'/,
    },
    {
      name: 'a slot without a type in Rhino format',
      yaml: 'context:\n  expressions:\n    a:\n      - call $contact\n',
      line: 4,
      column: 14,
      message: /'\$contact' needs a slot type: write \$type:contact/,
    },
    {
      name: 'a number type with min above max',
      yaml: 'context:\n  intents:\n    a: [fan $speed]\n  numbers:\n    speed: { kind: integer, min: 7, max: 1 }\n',
      line: 5,
      message: /min 7 is above max 1/,
    },
    {
      name: 'one phrase for two values',
      yaml: 'context:\n  intents:\n    a: [go $side]\n  slots:\n    side:\n      - left\n      - { value: right, synonyms: [left] }\n',
      line: 7,
      message: /phrase 'left' would mean both 'left' and 'right'/,
    },
    {
      name: 'unknown macro',
      yaml: 'context:\n  intents:\n    a:\n      - "@greet there"\n  macros:\n    hello: [hi]\n',
      line: 4,
      column: 10,
      message: /unknown macro '@greet' \(known: @hello\)/,
    },
    {
      name: 'both formats at once',
      yaml: 'context:\n  intents:\n    a: [hi]\n  expressions:\n    b: [bye]\n',
      line: 4,
      message: /both 'intents' \(Auriga format\) and 'expressions' \(Rhino format\)/,
    },
    {
      name: 'neither format',
      yaml: 'context:\n  slots:\n    a: [b]\n',
      line: 1,
      message: /neither 'intents' .* nor 'expressions'/,
    },
    {
      name: 'a declared slot used with another type',
      yaml: 'context:\n  intents:\n    a:\n      slots: { side: side }\n      expressions: ["go $city:side"]\n  slots:\n    side: [left]\n    city: [rome]\n',
      line: 5,
      message: /slot 'side' of intent 'a' is declared as side, not 'city'/,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const error = contextErrorOf(() => parseContext(c.yaml, { fileName: 'bad.yaml' }));
      expect(error.code).toBe('AURIGA_ERR_CONTEXT_INVALID');
      expect(error.statusCode).toBe(400);
      expect(error.message).toMatch(c.message);
      expect(error.line).toBe(c.line);
      expect(error.file).toBe('bad.yaml');
      if (c.column !== undefined) expect(error.column).toBe(c.column);
      expect(error.message.startsWith(`bad.yaml:${c.line}:`)).toBe(true);
    });
  }
});

describe('withSlotValues', () => {
  it('replaces a list slot type with new values (a phone book)', () => {
    const def = withSlotValues(parseContext(RHINO), 'location', ['garage', { value: 'bedroom', synonyms: ["kid's room"] }]);
    const said = enumerateSentences(compileContext(def), { limit: 10_000, intents: ['changeLightState'] }).map((s) => s);
    expect(said.some((s) => s.text === "turn on the kid's room lights" && s.slots['location'] === 'bedroom')).toBe(true);
    expect(said.some((s) => s.text.includes('kitchen'))).toBe(false);
  });

  it('validates the new values', () => {
    const base = parseContext(RHINO, { fileName: 'lights.yaml' });
    expect(() => withSlotValues(base, 'location', ['R2-D2'])).toThrow(/lights.yaml: slot type 'location', value 1: 'r2-d2' is not a word/);
    expect(() => withSlotValues(base, 'location', [])).toThrow(/has no values/);
    expect(() => withSlotValues(base, 'nope', ['x'])).toThrow(/unknown slot type 'nope'/);
    expect(() => withSlotValues(base, 'pv.Percent', ['x'])).toThrow(/number type/);
  });
});

describe('loadContextFile', () => {
  it('fails with AURIGA_ERR_CONTEXT_NOT_FOUND for a missing file', async () => {
    await expect(loadContextFile('/nonexistent/ctx.yaml')).rejects.toMatchObject({ code: 'AURIGA_ERR_CONTEXT_NOT_FOUND', statusCode: 404 });
  });
});
