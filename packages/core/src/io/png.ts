import { convertIndexedToRgb, decode, encode } from 'fast-png';
import { ioFail } from './io-error.js';

/** An interleaved (HWC) image: pixel (x, y) channel c is `data[(y * width + x) * channels + c]`. */
export interface ImageU8 {
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. */
  channels: number;
  data: Uint8Array;
}

export interface ImageU16 {
  width: number;
  height: number;
  channels: number;
  data: Uint16Array;
}

export type DecodedImage = ImageU8 | ImageU16;

/**
 * Decodes a PNG (https://www.w3.org/TR/png/) with fast-png. The result is normalised to one
 * sample per array element: 16-bit images give a Uint16Array, all others a Uint8Array;
 * palette images are expanded to RGB (RGBA when the palette has a tRNS chunk); 1/2/4-bit
 * grayscale is scaled to 0..255 (the spec's sample scaling, v * 255 / (2^depth - 1)).
 * A tRNS chunk on a non-palette image (one transparent colour) is not applied.
 */
export function decodePng(bytes: Uint8Array | ArrayBuffer): DecodedImage {
  let png;
  try {
    png = decode(bytes);
  } catch (e) {
    ioFail('decodePng', `input must be a valid PNG: ${(e as Error).message}`);
  }
  const { width, height, depth } = png;
  if (png.palette && png.palette.length > 0) {
    const data = convertIndexedToRgb(png);
    return { width, height, channels: png.palette[0].length, data };
  }
  const channels = png.channels;
  if (depth === 16) return { width, height, channels, data: toU16(png.data) };
  if (depth === 8) return { width, height, channels, data: toU8(png.data) };
  return { width, height, channels, data: unpackLowDepth(toU8(png.data), width, height, channels, depth) };
}

/** Rows of sub-byte samples are packed most-significant-bit first and padded to whole bytes. */
function unpackLowDepth(packed: Uint8Array, width: number, height: number, channels: number, depth: number): Uint8Array {
  const perRow = width * channels;
  const rowBytes = Math.ceil((perRow * depth) / 8);
  const scale = 255 / (2 ** depth - 1);
  const mask = 2 ** depth - 1;
  const out = new Uint8Array(perRow * height);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth;
      const byte = packed[y * rowBytes + (bit >> 3)];
      out[y * perRow + i] = Math.round(((byte >> (8 - depth - (bit & 7))) & mask) * scale);
    }
  }
  return out;
}

const toU8 = (d: Uint8Array | Uint8ClampedArray | Uint16Array): Uint8Array =>
  d instanceof Uint8Array ? d : new Uint8Array(d.buffer, d.byteOffset, d.length);
const toU16 = (d: Uint8Array | Uint8ClampedArray | Uint16Array): Uint16Array =>
  d instanceof Uint16Array ? d : Uint16Array.from(d);

/**
 * Encodes an interleaved 8-bit (Uint8Array) or 16-bit (Uint16Array) gray / gray+alpha / RGB /
 * RGBA image as PNG.
 */
export function encodePng(image: DecodedImage): Uint8Array {
  const { width, height, channels, data } = image;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) ioFail('encodePng', `image.${name} must be a positive integer, got ${v}`);
  }
  if (![1, 2, 3, 4].includes(channels)) ioFail('encodePng', `image.channels must be 1, 2, 3 or 4, got ${channels}`);
  if (!(data instanceof Uint8Array) && !(data instanceof Uint16Array)) {
    ioFail('encodePng', `image.data must be a Uint8Array or Uint16Array, got ${(data as object)?.constructor?.name ?? data}`);
  }
  if (data.length !== width * height * channels) {
    ioFail('encodePng', `image.data must have width*height*channels = ${width}*${height}*${channels} = ` +
      `${width * height * channels} elements, got ${data.length}`);
  }
  return encode({ width, height, channels, depth: data instanceof Uint16Array ? 16 : 8, data });
}
