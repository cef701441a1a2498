import { describe, expect, it } from 'vitest';
import { formatUnits, isZeroDecimal, toBigUnits, toUnits } from '../../../src/sim/market/units.ts';

describe('exact fixed-point units', () => {
  it('parses decimal strings exactly into 1e-8 units', () => {
    expect(toUnits('61837.63000000')).toBe(6_183_763_000_000);
    expect(toUnits('61837.63')).toBe(6_183_763_000_000);
    expect(toUnits('0.00000001')).toBe(1);
    expect(toUnits('5')).toBe(500_000_000);
    expect(toUnits('0.100000000000')).toBe(10_000_000);
    expect(toUnits('90071992.54740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(toBigUnits('123456789012.12345678')).toBe(12_345_678_901_212_345_678n);
  });

  it('rejects what it cannot represent exactly', () => {
    for (const bad of ['', '.5', '1.', '-1', '1e5', '0.000000001', '90071992.54740992', 'abc', '1.2.3']) {
      expect(() => toUnits(bad), bad).toThrow(RangeError);
    }
    expect(() => toBigUnits('0.000000001')).toThrow(RangeError);
    expect(() => toBigUnits('1,5')).toThrow(RangeError);
  });

  it('recognises zero quantities and formats units back', () => {
    expect(['0', '0.00000000', '0.000'].every(isZeroDecimal)).toBe(true);
    expect(['0.001', '10', ''].some(isZeroDecimal)).toBe(false);
    expect(formatUnits(6_183_763_000_000)).toBe('61837.63000000');
    expect(formatUnits(-23_561_000_000)).toBe('-235.61000000');
    expect(formatUnits(1n, 16)).toBe('0.00000000');
    expect(formatUnits(12_345_678_901_234_567n, 16)).toBe('1.23456789');
    expect(formatUnits(0)).toBe('0.00000000');
  });
});
