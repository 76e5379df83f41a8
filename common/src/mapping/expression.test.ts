import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionSyntaxError } from './expression.js';

const evalAt = (text: string, x: number) => compileExpression(text)(x);

function syntaxError(text: string): ExpressionSyntaxError {
  try {
    compileExpression(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ExpressionSyntaxError);
    return err as ExpressionSyntaxError;
  }
  throw new Error(`"${text}" compiled but should not`);
}

describe('compileExpression', () => {
  it('evaluates arithmetic with the usual precedence', () => {
    expect(evalAt('1 + 2 * 3', 0)).toBe(7);
    expect(evalAt('(1 + 2) * 3', 0)).toBe(9);
    expect(evalAt('10 - 4 - 3', 0)).toBe(3); // left-associative
    expect(evalAt('24 / 4 / 2', 0)).toBe(3);
    expect(evalAt('x % 3', 10)).toBe(1);
    expect(evalAt('x * 1000', 12.5)).toBe(12500);
    expect(evalAt('(x - 32) * 5 / 9', 212)).toBe(100);
  });

  it('handles unary minus and plus, including after an operator', () => {
    expect(evalAt('-x', 4)).toBe(-4);
    expect(evalAt('--x', 4)).toBe(4);
    expect(evalAt('x * -2', 3)).toBe(-6);
    expect(evalAt('+x - -1', 3)).toBe(4);
    expect(evalAt('-2 * -x', 3)).toBe(6);
  });

  it('reads decimal, exponent and hex numbers', () => {
    expect(evalAt('.5 + 1.25', 0)).toBe(1.75);
    expect(evalAt('1e3 + 2.5E-1', 0)).toBe(1000.25);
    expect(evalAt('0x10 + 0XfF', 0)).toBe(271);
  });

  it('calls floor, ceil, round, abs, min and max', () => {
    expect(evalAt('floor(x)', 2.7)).toBe(2);
    expect(evalAt('ceil(x)', 2.1)).toBe(3);
    expect(evalAt('round(x / 2)', 5)).toBe(3);
    expect(evalAt('abs(x - 10)', 3)).toBe(7);
    expect(evalAt('min(x, 10, 5)', 7)).toBe(5);
    expect(evalAt('max(0, min(100, x))', 140)).toBe(100);
    expect(evalAt('max(0, min(100, x))', -3)).toBe(0);
  });

  it('compiles once into a reusable function', () => {
    const f = compileExpression('x * 2 + 1');
    expect([0, 1, 2].map(f)).toEqual([1, 3, 5]);
  });

  it.each([
    ['', 'empty expression', 1],
    ['x +', 'expression ends too early', 4],
    ['x * (1 + 2', 'expected ")" but found "end of expression"', 11],
    ['y + 1', 'unknown name "y"', 1],
    ['x + foo(1)', 'unknown name "foo"', 5],
    ['constructor(x)', 'unknown name "constructor"', 1],
    ['round(x, 2)', 'round takes one argument, got 2', 1],
    ['min(x)', 'min takes two or more arguments', 1],
    ['round x', 'round must be followed by "("', 7],
    ['2x', 'malformed number "2x"', 2],
    ['x $ 1', 'unexpected character "$"', 3],
    ['x 1', 'unexpected "1"', 3],
    ['x)', 'unexpected ")"', 2],
    ['Math.max(1, 2)', 'unexpected character "."', 5],
    ['Math + 1', 'unknown name "Math"', 1],
  ])('rejects %j: %s at column %i', (text, reason, column) => {
    const err = syntaxError(text);
    expect(err.reason).toContain(reason);
    expect(err.column).toBe(column);
    expect(err.message).toBe(`${err.reason} at column ${column}`);
  });
});
