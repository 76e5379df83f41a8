import { describe, expect, it } from 'vitest';
import { parseControlCommand } from './commands.js';

const err = (payload: Parameters<typeof parseControlCommand>[0]) => {
  try {
    parseControlCommand(payload);
  } catch (e) {
    expect((e as { code: string }).code).toBe('AURIGA_ERR_SIM_BAD_CONTROL');
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('sim/control commands', () => {
  it('parses every command from JSON text or bytes', () => {
    expect(parseControlCommand('{"cmd":"scenario","name":"highway","seed":4}')).toEqual({ cmd: 'scenario', name: 'highway', seed: 4 });
    expect(parseControlCommand(Buffer.from('{"cmd":"pause"}'))).toEqual({ cmd: 'pause' });
    expect(parseControlCommand({ cmd: 'resume' })).toEqual({ cmd: 'resume' });
    expect(parseControlCommand({ cmd: 'clearFaults' })).toEqual({ cmd: 'clearFaults' });
    expect(parseControlCommand({ cmd: 'clearFault', id: 'f2' })).toEqual({ cmd: 'clearFault', id: 'f2' });
    expect(parseControlCommand({ cmd: 'timeScale', value: 10 })).toEqual({ cmd: 'timeScale', value: 10 });
    expect(parseControlCommand({ cmd: 'timeScale', value: 'max' })).toEqual({ cmd: 'timeScale', value: 'max' });
    expect(parseControlCommand({ cmd: 'fault', kind: 'silent', ecu: 'ECM' })).toEqual({ cmd: 'fault', fault: { kind: 'silent', ecu: 'ECM' } });
    expect(parseControlCommand({ cmd: 'fault', fault: { kind: 'reject', ecu: 'BCM' } })).toEqual({ cmd: 'fault', fault: { kind: 'reject', ecu: 'BCM' } });
    expect(parseControlCommand({ cmd: 'set', speedKmh: 30, ignition: 'on', doorsOpen: { FL: true } })).toEqual({
      cmd: 'set',
      set: { speedKmh: 30, ignition: 'on', doorsOpen: { FL: true } },
    });
    expect(parseControlCommand({ cmd: 'set', set: { fuelPct: 10 } })).toEqual({ cmd: 'set', set: { fuelPct: 10 } });
  });

  it('says what is wrong with a bad command', () => {
    expect(err('{nope')).toMatch(/not JSON/);
    expect(err('[1]')).toMatch(/expected a JSON object/);
    expect(err({ cmd: 'fly' })).toMatch(/cmd "fly" is not one of scenario, fault/);
    expect(err({ cmd: 'scenario', name: 'moon' })).toMatch(/name "moon" is not one of idle, parked/);
    expect(err({ cmd: 'timeScale', value: -2 })).toMatch(/timeScale/);
    expect(err({ cmd: 'set', speedKmh: 'fast' })).toMatch(/set.speedKmh must be a number in \[0, 250\]/);
    expect(err({ cmd: 'set', ignition: 'run' })).toMatch(/set.ignition must be one of lock, off, acc, on, start/);
    expect(err({ cmd: 'set', doorsOpen: { XX: true } })).toMatch(/set.doorsOpen.XX: corner/);
    expect(err({ cmd: 'set', wings: 2 })).toMatch(/unknown field "wings"/);
  });
});
