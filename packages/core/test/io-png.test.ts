import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, floatToUint8Image, uintToFloatImage } from '../src/io/index.js';

// PNGs assembled byte by byte with zlib in fixtures/io/make-fixtures.py.
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/io/${name}`, import.meta.url)));

describe('decodePng on hand-assembled files', () => {
  it('decodes 8-bit RGB', () => {
    expect(decodePng(fixture('rgb8.png'))).toEqual({
      width: 2, height: 2, channels: 3,
      data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]),
    });
  });

  it('decodes 16-bit gray to a Uint16Array', () => {
    expect(decodePng(fixture('gray16.png'))).toEqual({ width: 2, height: 1, channels: 1, data: new Uint16Array([0x0102, 0xfffe]) });
  });

  it('expands a 2-bit palette with tRNS to RGBA', () => {
    const img = decodePng(fixture('palette2.png'));
    expect(img.channels).toBe(4);
    expect([...img.data]).toEqual([
      255, 0, 0, 0, 0, 255, 0, 128, 0, 0, 255, 255,
      0, 0, 255, 255, 0, 255, 0, 128, 255, 0, 0, 0,
    ]);
  });

  it('scales 1-bit gray to 0/255 and ignores row padding', () => {
    const img = decodePng(fixture('gray1.png'));
    expect(img).toEqual({ width: 10, height: 1, channels: 1, data: new Uint8Array([255, 0, 255, 0, 255, 255, 0, 0, 0, 0]) });
  });

  it('rejects bytes that are not a PNG', () => {
    expect(() => decodePng(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/decodePng: input must be a valid PNG/);
  });
});

describe('encodePng round trips', () => {
  for (const channels of [1, 2, 3, 4]) {
    it(`round-trips 8-bit with ${channels} channel(s)`, () => {
      const data = Uint8Array.from({ length: 3 * 2 * channels }, (_, i) => (i * 37) % 256);
      const image = { width: 3, height: 2, channels, data };
      expect(decodePng(encodePng(image))).toEqual(image);
    });
  }

  it('round-trips 16-bit RGB', () => {
    const image = { width: 2, height: 1, channels: 3, data: new Uint16Array([0, 1, 256, 65535, 4660, 30000]) };
    expect(decodePng(encodePng(image))).toEqual(image);
  });

  it('names width, channels and data length errors', () => {
    const data = new Uint8Array(12);
    expect(() => encodePng({ width: 2, height: 2, channels: 5, data })).toThrow('encodePng: image.channels must be 1, 2, 3 or 4, got 5');
    expect(() => encodePng({ width: 0, height: 2, channels: 3, data })).toThrow('encodePng: image.width must be a positive integer, got 0');
    expect(() => encodePng({ width: 2, height: 2, channels: 4, data })).toThrow(
      'encodePng: image.data must have width*height*channels = 2*2*4 = 16 elements, got 12',
    );
    expect(() => encodePng({ width: 1, height: 1, channels: 1, data: new Float32Array(1) as unknown as Uint8Array })).toThrow(
      /must be a Uint8Array or Uint16Array, got Float32Array/,
    );
  });
});

describe('float <-> 8-bit images', () => {
  it('rounds v * 255 to nearest', () => {
    const img = floatToUint8Image({ width: 3, height: 1, channels: 1, data: new Float32Array([0, 0.5, 1]) });
    expect([...img.data]).toEqual([0, 128, 255]);
    expect([...floatToUint8Image({ width: 2, height: 1, channels: 1, data: new Float32Array([1 / 255, 0.499 / 255]) }).data]).toEqual([1, 0]);
  });

  it('names the first out-of-range pixel unless clamp is set', () => {
    const image = { width: 2, height: 2, channels: 3, data: new Float32Array(12).fill(0.5) };
    image.data[10] = 1.5; // pixel 3 -> x=1, y=1, channel 1
    image.data[11] = -2;
    expect(() => floatToUint8Image(image)).toThrow(
      'floatToUint8Image: image.data must be in [0, 1] (or pass clamp: true), got 1.5 at pixel x=1, y=1, channel 1',
    );
    expect([...floatToUint8Image(image, { clamp: true }).data.subarray(9)]).toEqual([128, 255, 0]);
  });

  it('throws on NaN even with clamp', () => {
    const image = { width: 2, height: 1, channels: 1, data: new Float32Array([0, NaN]) };
    expect(() => floatToUint8Image(image, { clamp: true })).toThrow('floatToUint8Image: image.data must be in [0, 1], got NaN at pixel x=1, y=0, channel 0');
  });

  it('checks the data length', () => {
    expect(() => floatToUint8Image({ width: 2, height: 2, channels: 3, data: new Float32Array(3) })).toThrow(/= 12 elements, got 3/);
  });

  it('converts 8- and 16-bit back to [0, 1] and round-trips 8-bit exactly', () => {
    expect([...uintToFloatImage({ width: 1, height: 1, channels: 2, data: new Uint16Array([0, 65535]) }).data]).toEqual([0, 1]);
    const u8 = { width: 256, height: 1, channels: 1, data: Uint8Array.from({ length: 256 }, (_, i) => i) };
    expect(floatToUint8Image(uintToFloatImage(u8))).toEqual(u8);
  });
});
