import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '@auriga/common';
import { compileContextFile } from '../context/index.js';
import type { CompiledContext } from '../context/types.js';
import { MemoryStore } from '../test-support/memory-store.js';
import { ManualClock } from '../util/timers.js';
import { Assistant, type AssistantOptions } from './assistant.js';
import { PATHS } from './car.js';
import { FakeActuation, FakeState, TEST_POLICY } from './testing.js';

const CAR_CONTEXT = fileURLToPath(new URL('../../../models/contexts/en-US/car.yaml', import.meta.url));
const DRIVER_TEMP = PATHS.temperature('driver');
const PASSENGER_TEMP = PATHS.temperature('passenger');

let context: CompiledContext;
beforeAll(async () => {
  context = await compileContextFile(CAR_CONTEXT);
});

/** An assistant over a hand-built state; the fake actuation stands in for the CAN round trip. */
function setup(overrides: Partial<AssistantOptions> = {}) {
  const state = new FakeState();
  const actuation = new FakeActuation(state);
  const clock = new ManualClock();
  const store = new MemoryStore();
  const assistant = new Assistant({
    context,
    state,
    catalog,
    actuation,
    policy: TEST_POLICY,
    store,
    clock,
    logger: pino({ level: 'silent' }),
    ...overrides,
  });
  return { assistant, state, actuation, clock, store };
}

describe('Assistant: commands against the live state', () => {
  it('sets the temperature for the requester and answers with the value and unit', async () => {
    const { assistant, state } = setup();
    const r = await assistant.handleText('set the temperature to 22 degrees');
    expect(r).toMatchObject({ isUnderstood: true, intent: 'setTemperature', actions: [{ path: DRIVER_TEMP, value: 22, status: 'confirmed' }] });
    expect(r.answer).toEqual({ text: "I set the driver's temperature to 22 °C.", lang: 'en-US', key: 'done' });
    expect(state.freshValue(DRIVER_TEMP)).toBe(22);
    expect(state.freshValue(PASSENGER_TEMP)).toBe(20);
  });

  it('"make it warmer" raises the set point one step from its current value; the passenger seat gets the passenger zone', async () => {
    const { assistant, state } = setup();
    state.set(PASSENGER_TEMP, 19.5);
    const r = await assistant.handleText('make it warmer', { seat: 'passenger' });
    expect(r.actions).toEqual([{ path: PASSENGER_TEMP, value: 20.5, status: 'confirmed' }]);
    expect(r.answer.text).toBe("I raised the passenger's temperature to 20.5 °C.");
  });

  it('clamps to the catalog range and says when already at the limit', async () => {
    const { assistant, state } = setup();
    state.set(DRIVER_TEMP, 29.5);
    expect((await assistant.handleText('make it 3 degrees warmer')).actions).toEqual([{ path: DRIVER_TEMP, value: 30, status: 'confirmed' }]);
    const again = await assistant.handleText('make it warmer');
    expect(again.actions).toEqual([]);
    expect(again.answer.text).toBe("The driver's temperature is already at its highest, 30 °C.");
  });

  it('"I\'m cold" is a climate intent: it warms the speaker\'s zone', async () => {
    const { assistant } = setup();
    const r = await assistant.handleText("I'm freezing");
    expect(r.intent).toBe('reportComfort');
    expect(r.actions).toEqual([{ path: DRIVER_TEMP, value: 23, status: 'confirmed' }]);
  });

  it('"close all windows" fans out to every open window only, and reports partial success', async () => {
    const { assistant, state, actuation } = setup();
    state.set(PATHS.window('driver'), 100);
    state.set(PATHS.window('rearLeft'), 40);
    state.set(PATHS.window('rearRight'), 10);
    actuation.failing.set(PATHS.window('rearLeft'), { status: 'timeout', reason: 'did not reach 0 within 9000 ms' });
    const r = await assistant.handleText('close all the windows');
    expect(r.actions.map((a) => [a.path, a.status])).toEqual([
      [PATHS.window('driver'), 'confirmed'],
      [PATHS.window('rearLeft'), 'timeout'],
      [PATHS.window('rearRight'), 'confirmed'],
    ]);
    expect(r.answer.text).toBe("I closed 2 of 3 windows; the rear left window didn't respond in time.");
  });

  it('says so when every window is already closed', async () => {
    const { assistant, actuation } = setup();
    const r = await assistant.handleText('close all windows');
    expect(actuation.requests).toEqual([]);
    expect(r.answer.text).toBe('All windows are already closed.');
  });

  it('"open the window" opens the driver\'s window, or the window of the seat that asked', async () => {
    const { assistant } = setup();
    expect((await assistant.handleText('open the window')).actions).toEqual([{ path: PATHS.window('driver'), value: 100, status: 'confirmed' }]);
    const rear = await assistant.handleText('open the window halfway', { seat: 'rearRight' });
    expect(rear.actions).toEqual([{ path: PATHS.window('rearRight'), value: 50, status: 'confirmed' }]);
    expect(rear.answer.text).toBe('I opened the rear right window to 50%.');
  });

  it('says what this car cannot do instead of guessing', async () => {
    const { assistant, actuation } = setup();
    expect((await assistant.handleText('set the rear temperature to 22 degrees')).answer.text).toBe('This car has no separate temperature control for the rear seats.');
    expect((await assistant.handleText('turn on the high beams')).answer.text).toBe("This car can't control the high beams.");
    expect(actuation.requests).toEqual([]);
  });

  it('answers questions from current values with units', async () => {
    const { assistant, actuation } = setup();
    expect((await assistant.handleText('how much fuel do I have')).answer.text).toBe('You have 23% fuel, about 140 km of range.');
    expect((await assistant.handleText('what is my range')).answer.text).toBe('You can drive about 140 km on the fuel left.');
    expect((await assistant.handleText('check the tire pressure')).answer.text).toBe(
      'The rear left tyre is low: front left 230 kPa, front right 231 kPa, rear left 180 kPa (low), rear right 229 kPa.',
    );
    expect(actuation.requests).toEqual([]);
  });

  it('says plainly that phone and navigation are not connected', async () => {
    const { assistant } = setup();
    const call = await assistant.handleText('call mom');
    expect(call).toMatchObject({ isUnderstood: true, intent: 'callContact', actions: [] });
    expect(call.answer.text).toBe("No phone is connected, so I can't call Mom.");
    expect((await assistant.handleText('navigate home')).answer.text).toBe("Navigation isn't available on this head unit, so I can't take you home.");
    expect((await assistant.handleText('find the nearest gas station', { lang: 'zh-CN' })).answer.text).toBe('本车机暂不支持导航，无法查找附近的加油站。');
    expect((await assistant.handleText('give john smith a call')).answer.text).toBe("No phone is connected, so I can't call John Smith.");
  });

  it('uses a phone integration when one is plugged in', async () => {
    const { assistant } = setup({ externalHandlers: { phone: { handle: async (_i, slots) => ({ ok: true, text: `Calling ${slots.contact}.` }) } } });
    expect((await assistant.handleText('call alice')).answer.text).toBe('Calling alice.');
  });

  it('answers "not understood" without touching the car', async () => {
    const { assistant, actuation } = setup();
    const r = await assistant.handleText('order a pizza with extra cheese');
    expect(r).toMatchObject({ isUnderstood: false, intent: null, actions: [], answer: { text: "Sorry, I didn't get that.", key: 'notUnderstood' } });
    expect(actuation.requests).toEqual([]);
  });

  it('rejects empty text, unknown languages and seats with a coded error', async () => {
    const { assistant } = setup();
    await expect(assistant.handleText('  ')).rejects.toMatchObject({ code: 'AURIGA_ERR_ASSISTANT_INPUT' });
    await expect(assistant.handleText('help', { lang: 'fr-FR' as never })).rejects.toThrow(/unsupported lang "fr-FR"/);
    await expect(assistant.handleText('help', { seat: 'trunk' as never })).rejects.toThrow(/unknown seat "trunk"/);
  });
});

describe('Assistant: refusals by the vehicle policy', () => {
  it('"open the trunk" at 50 km/h is refused with the policy reason in plain words', async () => {
    const { assistant, state, actuation } = setup();
    state.set('Vehicle.Speed', 50);
    const r = await assistant.handleText('open the trunk');
    expect(actuation.requests).toEqual([{ path: PATHS.trunk, value: true, source: 'assistant' }]);
    expect(r.actions).toEqual([
      { path: PATHS.trunk, value: true, status: 'refused', ruleId: 'no-opening-above-walking-speed', reason: expect.stringMatching(/at or below 5 km\/h and the car is moving at 50 km\/h/) },
    ]);
    expect(r.answer).toEqual({ text: "I can't open the trunk while driving.", lang: 'en-US', key: 'refused' });
    expect(r.expectsReply).toBe(false);
  });

  it('explains the highway window limit with the configured percentage', async () => {
    const { assistant, state } = setup();
    state.set('Vehicle.Speed', 110);
    const r = await assistant.handleText('open the passenger window');
    expect(r.actions[0]).toMatchObject({ status: 'refused', ruleId: 'window-opening-limited-at-highway-speed' });
    expect(r.answer.text).toBe("At this speed I can only open the passenger's window up to 20%.");
  });

  it('renders the refusal in zh-CN', async () => {
    const { assistant, state } = setup();
    state.set('Vehicle.Speed', 50);
    const r = await assistant.handleText('open the trunk', { lang: 'zh-CN' });
    expect(r.answer).toEqual({ text: '行驶中无法打开后备箱。', lang: 'zh-CN', key: 'refused' });
  });
});

describe('Assistant: confirmations', () => {
  it('asks before opening the trunk when parked, and does it on "yes"', async () => {
    const { assistant, actuation, state } = setup();
    const ask = await assistant.handleText('open the trunk');
    expect(ask).toMatchObject({ actions: [], expectsReply: true, answer: { text: 'Should I open the trunk?', key: 'askConfirmation' } });
    expect(actuation.requests).toEqual([]);
    const yes = await assistant.handleText('yes');
    expect(yes).toMatchObject({ intent: 'confirm', resolvedIntent: 'openTrunk', actions: [{ path: PATHS.trunk, value: true, status: 'confirmed' }] });
    expect(yes.answer.text).toBe('I opened the trunk.');
    expect(state.freshValue(PATHS.trunk)).toBe(true);
  });

  it('"no" drops the action', async () => {
    const { assistant, actuation } = setup();
    await assistant.handleText('open the trunk');
    expect((await assistant.handleText('no')).answer.text).toBe("OK, I won't.");
    expect(actuation.requests).toEqual([]);
  });

  it('times out after 8 s with "OK, I won\'t." and a later "yes" does nothing', async () => {
    const { assistant, actuation, clock, store } = setup();
    const expired: string[] = [];
    assistant.on('confirmationExpired', (r) => expired.push(r.answer.text));
    await assistant.handleText('open the trunk', { lang: 'zh-CN' });
    clock.advance(7999);
    expect(expired).toEqual([]);
    clock.advance(1);
    expect(expired).toEqual(['好的，不执行了。']);
    const yes = await assistant.handleText('yes');
    expect(yes.actions).toEqual([]);
    expect(actuation.requests).toEqual([]);
    await assistant.flush();
    expect(store.turnLog.map((t) => t.source)).toEqual(['text', 'timeout', 'text']);
  });

  it('asks before unlocking while moving, not when parked', async () => {
    const { assistant, state } = setup();
    expect((await assistant.handleText('unlock the doors')).actions).toHaveLength(5);
    state.set('Vehicle.Speed', 30);
    const r = await assistant.handleText('lock the car');
    expect(r.actions.every((a) => a.status === 'confirmed')).toBe(true);
    const ask = await assistant.handleText('unlock the doors');
    expect(ask.answer.text).toBe('The car is moving. Should I unlock the car?');
  });
});

describe('Assistant: follow-ups', () => {
  it('"and the passenger side too" repeats the last setting for the passenger zone', async () => {
    const { assistant, state } = setup();
    await assistant.handleText('set the driver temperature to 21');
    state.set(DRIVER_TEMP, 21);
    const r = await assistant.handleText('and the passenger side too');
    expect(r).toMatchObject({ intent: 'addZone', resolvedIntent: 'setTemperature', actions: [{ path: PASSENGER_TEMP, value: 21, status: 'confirmed' }] });
    expect(r.answer.text).toBe("I set the passenger's temperature to 21 °C.");
  });

  it('"and the rear left window too" opens that window the same way', async () => {
    const { assistant } = setup();
    await assistant.handleText('open the passenger window halfway');
    const r = await assistant.handleText('and the rear left window too');
    expect(r.actions).toEqual([{ path: PATHS.window('rearLeft'), value: 50, status: 'confirmed' }]);
  });

  it('a window follow-up after a temperature change is not read as a zone; yes without a question is answered', async () => {
    const { assistant, actuation } = setup();
    await assistant.handleText('make it warmer');
    const r = await assistant.handleText('the rear right window too');
    expect(r.answer.key).toBe('nothingToAdjust');
    expect((await assistant.handleText('yes')).answer.text).toBe("There's nothing to confirm right now.");
    expect(actuation.requests).toHaveLength(1);
  });

  it('a relative change of zones at different values says by how much', async () => {
    const { assistant } = setup();
    const r = await assistant.handleText('make it cooler', { seat: 'rearLeft' });
    expect(r.actions.map((a) => a.value)).toEqual([20, 19]);
    expect(r.answer.text).toBe('I lowered the temperature on both sides by 1 °C.');
    expect((await assistant.handleText('make it cooler', { seat: 'rearLeft', lang: 'zh-CN' })).answer.text).toBe('已将两侧温度调低1°C。');
  });

  it('"make it warmer" then "a bit more" raises again from the new value; "a bit less" steps back', async () => {
    const { assistant } = setup();
    expect((await assistant.handleText('make it warmer')).actions[0]).toMatchObject({ path: DRIVER_TEMP, value: 22 });
    const more = await assistant.handleText('a bit more');
    expect(more).toMatchObject({ intent: 'adjustMore', resolvedIntent: 'changeTemperature', actions: [{ path: DRIVER_TEMP, value: 23, status: 'confirmed' }] });
    const less = await assistant.handleText('a bit less');
    expect(less.actions).toEqual([{ path: DRIVER_TEMP, value: 22, status: 'confirmed' }]);
  });

  it('follow-ups stay in the seat\'s own session', async () => {
    const { assistant } = setup();
    await assistant.handleText('make it warmer', { seat: 'passenger' });
    const driver = await assistant.handleText('a bit more', { seat: 'driver' });
    expect(driver.actions).toEqual([]);
    expect(driver.answer.key).toBe('nothingToAdjust');
    const passenger = await assistant.handleText('a bit more', { seat: 'passenger' });
    expect(passenger.actions).toEqual([{ path: PASSENGER_TEMP, value: 22, status: 'confirmed' }]);
  });

  it('asks "to what temperature?" and "twenty two" fills it', async () => {
    const { assistant } = setup();
    const ask = await assistant.handleText('set the temperature');
    expect(ask).toMatchObject({ actions: [], expectsReply: true, answer: { text: 'To what temperature?', key: 'askSlot' } });
    const fill = await assistant.handleText('twenty two');
    expect(fill).toMatchObject({ intent: 'fillSlot', resolvedIntent: 'setTemperature', actions: [{ path: DRIVER_TEMP, value: 22, status: 'confirmed' }] });
  });

  it('a new command while a question is pending replaces the question', async () => {
    const { assistant, state } = setup();
    state.set(PATHS.window('passenger'), 50);
    await assistant.handleText('set the temperature');
    const r = await assistant.handleText('close the passenger window');
    expect(r).toMatchObject({ intent: 'closeWindow', actions: [{ path: PATHS.window('passenger'), value: 0, status: 'confirmed' }] });
    expect((await assistant.handleText('twenty two')).actions).toEqual([]);
  });

  it('asks in zh-CN too', async () => {
    const { assistant } = setup();
    expect((await assistant.handleText('set the temperature', { lang: 'zh-CN' })).answer.text).toBe('要设到多少度？');
    expect((await assistant.handleText('twenty two', { lang: 'zh-CN' })).answer.text).toBe('已将主驾温度设为22°C。');
  });

  it('"cancel that" drops a pending question, and undoes the last action', async () => {
    const { assistant, state } = setup();
    await assistant.handleText('set the temperature');
    expect((await assistant.handleText('cancel that')).answer.text).toBe('OK, cancelled.');
    expect((await assistant.handleText('twenty two')).actions).toEqual([]);

    await assistant.handleText('set the temperature to 25');
    expect(state.freshValue(DRIVER_TEMP)).toBe(25);
    const undo = await assistant.handleText('cancel that');
    expect(undo.actions).toEqual([{ path: DRIVER_TEMP, value: 21, status: 'confirmed' }]);
    expect(undo.answer.text).toBe("OK, I put the driver's temperature back.");
    expect((await assistant.handleText('cancel that')).answer.text).toBe("There's nothing to cancel.");
  });
});

describe('Assistant: stored turns', () => {
  it('stores every turn with its input, intent, actions, answer and timings', async () => {
    const { assistant, store, state } = setup();
    state.set('Vehicle.Speed', 50);
    await assistant.handleText('open the trunk', { sessionId: 'hmi-1' });
    await assistant.handleIntent({ isUnderstood: true, intent: 'askFuelLevel', slots: {} }, { transcript: 'how much fuel', audioDurationMs: 1200, sessionId: 'hmi-1' });
    await assistant.flush();
    expect(store.turnLog).toHaveLength(2);
    expect(store.turnLog[0]).toMatchObject({
      sessionId: 'hmi-1',
      seat: 'driver',
      lang: 'en-US',
      source: 'text',
      input: 'open the trunk',
      isUnderstood: true,
      intent: 'openTrunk',
      actions: [{ path: PATHS.trunk, value: true, status: 'refused' }],
      answer: "I can't open the trunk while driving.",
      answerKey: 'refused',
    });
    expect(store.turnLog[0]!.timings.totalMs).toBeGreaterThanOrEqual(0);
    expect(store.turnLog[1]).toMatchObject({ source: 'voice', input: 'how much fuel', audioDurationMs: 1200, intent: 'askFuelLevel' });
  });
});
