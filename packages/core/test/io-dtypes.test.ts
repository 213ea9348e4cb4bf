import { describe, expect, it } from 'vitest';
import {
  bfloat16BitsToNumber, decodeBfloat16, decodeFloat16, encodeBfloat16, encodeFloat16, float16BitsToNumber,
  int64ToInt32, int64ToUint32, numberToBfloat16Bits, numberToFloat16Bits, toCoreArray, type NamedArray,
} from '../src/io/index.js';

describe('float16', () => {
  it('decodes known bit patterns (IEEE 754 binary16)', () => {
    const bits = [0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x0400, 0x0001, 0x03ff, 0x3555, 0x7c00, 0xfc00];
    const want = [0, -0, 1, -2, 65504, 2 ** -14, 2 ** -24, 1023 * 2 ** -24, 0.333251953125, Infinity, -Infinity];
    expect(bits.map(float16BitsToNumber)).toEqual(want);
    expect(Number.isNaN(float16BitsToNumber(0x7e00))).toBe(true);
  });

  it('encodes with round-to-nearest-even, overflow to infinity and subnormals', () => {
    expect(numberToFloat16Bits(1)).toBe(0x3c00);
    expect(numberToFloat16Bits(1 / 3)).toBe(0x3555);
    expect(numberToFloat16Bits(65504)).toBe(0x7bff);
    expect(numberToFloat16Bits(65520)).toBe(0x7c00); // halfway to the next power: ties to even = inf
    expect(numberToFloat16Bits(65519)).toBe(0x7bff);
    expect(numberToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even mantissa
    expect(numberToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even mantissa (up)
    expect(numberToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(numberToFloat16Bits(2 ** -25)).toBe(0x0000); // tie with zero -> even
    expect(numberToFloat16Bits(1.5 * 2 ** -25)).toBe(0x0001);
    expect(numberToFloat16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up into the smallest normal
    expect(numberToFloat16Bits(-0)).toBe(0x8000);
    expect(numberToFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(numberToFloat16Bits(NaN) & 0x3ff).not.toBe(0);
  });

  it('round-trips every finite binary16 value', () => {
    const bits = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((b) => (b & 0x7c00) !== 0x7c00);
    expect(encodeFloat16(decodeFloat16(bits))).toEqual(bits);
  });
});

describe('bfloat16', () => {
  it('decodes and encodes known patterns with ties to even', () => {
    expect(bfloat16BitsToNumber(0x3f80)).toBe(1);
    expect(bfloat16BitsToNumber(0xc2f7)).toBe(-123.5);
    expect(numberToBfloat16Bits(1)).toBe(0x3f80);
    expect(numberToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie -> even
    expect(numberToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(numberToBfloat16Bits(3.4e38)).toBe(0x7f80); // rounds past the max finite
    const nan = numberToBfloat16Bits(NaN);
    expect(Number.isNaN(bfloat16BitsToNumber(nan))).toBe(true);
  });

  it('round-trips every finite bfloat16 value', () => {
    const bits = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((b) => (b & 0x7f80) !== 0x7f80);
    expect(encodeBfloat16(decodeBfloat16(bits))).toEqual(bits);
  });
});

describe('int64 conversions', () => {
  it('converts values in range and names the key, index and value otherwise', () => {
    expect([...int64ToInt32(new BigInt64Array([-(2n ** 31n), 0n, 2n ** 31n - 1n]), 'f')]).toEqual([-(2 ** 31), 0, 2 ** 31 - 1]);
    expect(() => int64ToInt32(new BigInt64Array([1n, 2n ** 31n]), 'faces')).toThrow(
      'int64ToInt32: "faces" must hold values in int32 range [-2^31, 2^31), got 2147483648 at flat index 1',
    );
    expect(() => int64ToInt32(new BigInt64Array([2n ** 32n]), 'k', { wrapUint32: true })).toThrow(/range \[-2\^31, 2\^32\), got 4294967296/);
    expect([...int64ToUint32(new BigUint64Array([4294967295n]), 'u')]).toEqual([4294967295]);
    expect(() => int64ToUint32(new BigInt64Array([-1n]), 'u')).toThrow('int64ToUint32: "u" must hold values in uint32 range [0, 2^32), got -1 at flat index 0');
  });
});

describe('toCoreArray', () => {
  it('maps every file dtype to a Tensor dtype exactly', () => {
    expect(toCoreArray({ dtype: 'float16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) }, 'h')).toEqual({ dtype: 'float32', shape: [2], data: new Float32Array([1, -2]) });
    expect(toCoreArray({ dtype: 'bfloat16', shape: [1], data: new Uint16Array([0x3f80]) }, 'b')).toEqual({ dtype: 'float32', shape: [1], data: new Float32Array([1]) });
    expect(toCoreArray({ dtype: 'uint8', shape: [2], data: new Uint8Array([0, 255]) }, 'u')).toEqual({ dtype: 'int32', shape: [2], data: new Int32Array([0, 255]) });
    expect(toCoreArray({ dtype: 'int16', shape: [1], data: new Int16Array([-5]) }, 'i')).toEqual({ dtype: 'int32', shape: [1], data: new Int32Array([-5]) });
    const f64: NamedArray = { dtype: 'float64', shape: [1], data: new Float64Array([0.1]) };
    expect(toCoreArray(f64, 'd')).toBe(f64);
    expect(() => toCoreArray({ dtype: 'uint64', shape: [1], data: new BigUint64Array([2n ** 40n]) }, 'big')).toThrow(/"big" must hold values in int32 range/);
  });
});
