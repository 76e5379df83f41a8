/** The shipped en-US car context: it loads cleanly, covers the driver phrases and rejects the rest. */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileContext } from './compile.js';
import { loadContextFile, withSlotValues } from './load.js';
import { matchText } from './match.js';
import { isValidWord } from './normalize.js';
import { listVocabulary, sampleSentences } from './sentences.js';
import type { CompiledContext, ContextDefinition } from './types.js';

const CAR_CONTEXT = fileURLToPath(new URL('../../../models/contexts/en-US/car.yaml', import.meta.url));

let definition: ContextDefinition;
let car: CompiledContext;
beforeAll(async () => {
  definition = await loadContextFile(CAR_CONTEXT);
  car = compileContext(definition);
});

type Expected = [text: string, intent: string, slots?: Record<string, string>, numbers?: Record<string, number>];

/** The phrases of the assistant issue, each with the meaning the assistant maps to an action. */
const DRIVER_PHRASES: Expected[] = [
  ['Set the temperature to twenty one degrees', 'setTemperature', { temperature: 'twenty one' }, { temperature: 21 }],
  ['make it warmer on the passenger side', 'changeTemperature', { direction: 'up', zone: 'passenger' }],
  ['open the driver window halfway', 'openWindow', { window: 'driver', amount: 'half' }, { amount: 50 }],
  ['close all windows', 'closeWindow', { window: 'all' }],
  ['turn on the seat heating', 'setSeatHeating', { state: 'on' }],
  ['fan speed three', 'setFanSpeed', { level: 'three' }, { level: 3 }],
  ['defrost the windshield', 'setDefrost', { target: 'front' }],
  ['volume up', 'changeVolume', { direction: 'up' }],
  ['next track', 'nextTrack'],
  ['switch to radio', 'setMediaSource', { source: 'radio' }],
  ['call mom', 'callContact', { contact: 'mom' }],
  ['Call John Smith', 'callContact', { contact: 'john smith' }],
  ['navigate home', 'navigateTo', { place: 'home' }],
  ['how much fuel do I have', 'askFuelLevel'],
  ["what's my range", 'askRange'],
  ['check my tyre pressure', 'askTyrePressure'],
  ['summarize my drive', 'summarizeDrive', { period: 'drive' }],
  ['how is the car', 'askVehicleStatus'],
  ["I'm cold", 'reportComfort', { feeling: 'cold' }],
  // Multi-turn follow-ups.
  ['and the passenger side too', 'addZone', { zone: 'passenger' }],
  ['a bit more', 'adjustMore'],
  ['cancel that', 'cancel'],
  ['to twenty two degrees', 'fillSlot', { value: 'twenty two' }, { value: 22 }],
  ['yes', 'confirm'],
  ['no', 'deny'],
];

/** The same requests typed or said differently. */
const VARIANTS: Expected[] = [
  ['Please set the temperature to 21.5°', 'setTemperature', { temperature: 'twenty one point five' }, { temperature: 21.5 }],
  ['set the temperature to twenty one and a half degrees', 'setTemperature', { temperature: 'twenty one and a half' }, { temperature: 21.5 }],
  ['Set temp to 22 degrees for the passenger', 'setTemperature', { temperature: 'twenty two', zone: 'passenger' }, { temperature: 22 }],
  ['set the temperature to 20 for everyone', 'setTemperature', { temperature: 'twenty', zone: 'all' }, { temperature: 20 }],
  ['change the temperature', 'setTemperature'],
  ['Could you, uh, make it warmer on the passenger\u2019s side?', 'changeTemperature', { direction: 'up', zone: 'passenger' }],
  ['make it two degrees cooler', 'changeTemperature', { direction: 'down', amount: 'two' }, { amount: 2 }],
  ['turn up the heat', 'changeTemperature', { direction: 'up' }],
  ['open the driver window 30%', 'openWindow', { window: 'driver', amount: 'thirty percent' }, { amount: 30 }],
  ["open the driver's window half way", 'openWindow', { window: 'driver', amount: 'half' }, { amount: 50 }],
  ['roll down the rear left window', 'openWindow', { window: 'rear left' }],
  ['close the windows please', 'closeWindow', { window: 'all' }],
  ['open the sunroof', 'openSunroof'],
  ['lock the doors', 'lockDoors', { door: 'all' }],
  ['unlock the driver door', 'unlockDoors', { door: 'driver' }],
  ['turn on the passenger seat heater', 'setSeatHeating', { state: 'on', zone: 'passenger' }],
  ['set my seat heating to high', 'setSeatHeating', { level: 'high' }, { level: 3 }],
  ['seat heater level two', 'setSeatHeating', { level: 'two' }, { level: 2 }],
  ['turn on the headlights', 'setLights', { light: 'headlights', state: 'on' }],
  ['hazards on', 'setLights', { light: 'hazard lights', state: 'on' }],
  ['Hey Auriga, fan speed 3 please', 'setFanSpeed', { level: 'three' }, { level: 3 }],
  ['set the fan to max', 'setFanSpeed', { level: 'max' }, { level: 7 }],
  ['turn on the ac', 'setAirConditioning', { state: 'on' }],
  ['turn the volume up', 'changeVolume', { direction: 'up' }],
  ['louder', 'changeVolume', { direction: 'up' }],
  ['set the volume to 12', 'setVolume', { volume: 'twelve' }, { volume: 12 }],
  ['umm next song', 'nextTrack'],
  ['skip this song', 'nextTrack'],
  ['pause the music', 'pauseMedia'],
  ['play the radio', 'setMediaSource', { source: 'radio' }],
  ['Call Mom.', 'callContact', { contact: 'mom' }],
  ['take me home', 'navigateTo', { place: 'home' }],
  ['navigate to the office', 'navigateTo', { place: 'work' }],
  ['find the nearest gas station', 'findNearby', { category: 'gas station' }],
  ['cancel the route', 'cancelNavigation'],
  ['how much gas do i have left', 'askFuelLevel'],
  ['What is my range?', 'askRange'],
  ['whats my range', 'askRange'],
  ['how far can i drive', 'askRange'],
  ['check my tire pressure', 'askTyrePressure'],
  ["what's the front left tire pressure", 'askTyrePressure', { tyre: 'front left' }],
  ['are there any warnings', 'askWarnings'],
  ["how's the car doing", 'askVehicleStatus'],
  ['how was my trip', 'summarizeDrive', { period: 'drive' }],
  ["It's too hot in here", 'reportComfort', { feeling: 'hot' }],
  ['im freezing', 'reportComfort', { feeling: 'cold' }],
  ['the passenger window too', 'addZone', { window: 'passenger' }],
  ['a little less', 'adjustLess'],
  ['never mind', 'cancel'],
  ['twenty two', 'fillSlot', { value: 'twenty two' }, { value: 22 }],
  ['the passenger side', 'fillSlot', { zone: 'passenger' }],
  ['yes please', 'confirm'],
  ['ok', 'confirm'],
  ['no thanks', 'deny'],
  ['what can I say', 'help'],
];

const OUT_OF_CONTEXT = [
  // chatter and general questions
  'hello how are you',
  'tell me a joke',
  "what's the weather like tomorrow",
  'is it going to rain today',
  'how is the weather',
  'what time is it',
  'who won the game last night',
  'what is the capital of france',
  'how tall is mount everest',
  "what's the meaning of life",
  "what's your name",
  'what is two plus two',
  'define serendipity',
  'the weather is nice today',
  'my favorite color is blue',
  'I love this song',
  'no idea',
  'ok google',
  // other domains
  'order a pizza',
  'yes I would like to order a pizza',
  'play some jazz on spotify',
  'remind me to buy milk',
  'set an alarm for seven',
  'send a text to mom',
  'book a table for two',
  'translate hello into spanish',
  "what's on my calendar",
  'delete all my emails',
  'check my email',
  'open a new tab',
  'sing me a song',
  'make me a coffee',
  'increase my salary',
  // near misses
  'turn on the dishwasher',
  'turn off the tv',
  'open the garage door',
  'open the pod bay doors',
  'close the fridge',
  'lock my phone',
  'call an uber',
  'navigate the website',
  'set the temperature to banana',
  'set the temperature to ninety degrees',
  'set the thermostat in my house to seventy',
  'turn the oven to three hundred fifty degrees',
  'volume of a sphere',
  'how much does a tesla cost',
  'where is the nearest pizza place',
  'cancel my dentist appointment',
  'twenty one pilots',
  'how old is the car',
  'the car in front is slow',
  'play the next episode of my podcast',
];

function meaning(text: string) {
  const m = matchText(car, text);
  return { isUnderstood: m.isUnderstood, intent: m.intent, slots: m.slots, numbers: m.numbers };
}

describe('car context', () => {
  it('loads without warnings as an Auriga-format en-US context', () => {
    expect(definition.format).toBe('auriga');
    expect(definition.name).toBe('car');
    expect(definition.language).toBe('en-US');
    expect(definition.warnings).toEqual([]);
    expect(car.intents.every((i) => i.description !== undefined && i.description.length > 0)).toBe(true);
  });

  it('has the intents the assistant maps to actions', () => {
    expect(car.intents.map((i) => i.name)).toEqual([
      'setTemperature', 'changeTemperature', 'reportComfort', 'setFanSpeed', 'changeFanSpeed', 'setDefrost',
      'setAirConditioning', 'openWindow', 'closeWindow', 'openSunroof', 'closeSunroof', 'tiltSunroof', 'lockDoors',
      'unlockDoors', 'openTrunk', 'closeTrunk', 'setSeatHeating', 'setLights', 'changeVolume', 'setVolume', 'mute', 'unmute', 'nextTrack',
      'previousTrack', 'pauseMedia', 'resumeMedia', 'setMediaSource', 'callContact', 'answerCall', 'endCall',
      'navigateTo', 'findNearby', 'cancelNavigation', 'askArrivalTime', 'askFuelLevel', 'askRange', 'askTyrePressure',
      'askWarnings', 'askVehicleStatus', 'summarizeDrive', 'addZone', 'adjustMore', 'adjustLess', 'cancel', 'fillSlot',
      'confirm', 'deny', 'help',
    ]);
  });

  it.each(DRIVER_PHRASES)('understands the driver phrase %j', (text, intent, slots = {}, numbers = {}) => {
    expect(meaning(text)).toEqual({ isUnderstood: true, intent, slots, numbers });
  });

  it.each(VARIANTS)('understands the variant %j', (text, intent, slots = {}, numbers = {}) => {
    expect(meaning(text)).toEqual({ isUnderstood: true, intent, slots, numbers });
  });

  it(`rejects ${OUT_OF_CONTEXT.length} out-of-context sentences`, () => {
    expect(OUT_OF_CONTEXT.length).toBeGreaterThanOrEqual(30);
    const accepted = OUT_OF_CONTEXT.filter((text) => matchText(car, text).isUnderstood);
    expect(accepted).toEqual([]);
  });

  it('parses its own sampled sentences back to the same meaning (no ambiguous sentences)', () => {
    const samples = sampleSentences(car, { count: 800, seed: 2024 });
    const wrong = samples.filter((s) => {
      const m = matchText(car, s.text);
      return !(m.isUnderstood && m.intent === s.intent && sameRecord(m.slots, s.slots) && sameRecord(m.numbers, s.numbers));
    });
    expect(wrong).toEqual([]);
    // Every intent was sampled.
    expect(new Set(samples.map((s) => s.intent)).size).toBe(car.intents.length);
  });

  it('narrows to the answers a dialogue waits for', () => {
    const answers = ['fillSlot', 'confirm', 'deny', 'cancel'];
    expect(matchText(car, 'to twenty two degrees', { intents: answers })).toMatchObject({ intent: 'fillSlot', numbers: { value: 22 } });
    expect(matchText(car, 'navigate home', { intents: answers }).isUnderstood).toBe(false);
  });

  it('takes the phone book and saved places from the user', () => {
    const personal = compileContext(
      withSlotValues(withSlotValues(definition, 'contact', ['Priya Patel', { value: 'mom', synonyms: ['mama'] }]), 'place', [
        { value: 'grandma', synonyms: ["grandma's house"] },
      ]),
    );
    // Reported as the phone book spells it.
    expect(matchText(personal, 'call priya patel')).toMatchObject({ intent: 'callContact', slots: { contact: 'Priya Patel' } });
    expect(matchText(personal, 'call mama')).toMatchObject({ intent: 'callContact', slots: { contact: 'mom' } });
    expect(matchText(personal, 'call john smith').isUnderstood).toBe(false);
    expect(matchText(personal, "navigate to grandma's house")).toMatchObject({ intent: 'navigateTo', slots: { place: 'grandma' } });
  });

  it('has a clean vocabulary for pronunciation lookup', () => {
    const vocabulary = listVocabulary(car);
    expect(vocabulary.every(isValidWord)).toBe(true);
    expect(vocabulary).toEqual([...new Set(vocabulary)].sort());
    for (const word of ['windshield', 'twenty', 'passenger', "what's", 'tyre', 'tire', 'percent', 'half']) expect(vocabulary).toContain(word);
  });
});

function sameRecord(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
