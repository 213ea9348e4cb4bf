/**
 * PNG helpers over @headsplat/core's IO: float RGB / mask images to 8-bit PNG bytes and back,
 * with size checks, alpha handling and the file read (Node) done lazily.
 */
import { decodePng, encodePng, HeadsplatError } from '@headsplat/core';

/** (H, W, 3) float in [0, 1] -> 8-bit RGB PNG (round(v * 255)). */
export function encodeRgbPng(rgb: Float32Array, width: number, height: number): Uint8Array {
  return encodePng({ width, height, channels: 3, data: toU8(rgb) });
}

/** (H, W) float in [0, 1] -> 8-bit gray PNG. */
export function encodeMaskPng(mask: Float32Array, width: number, height: number): Uint8Array {
  return encodePng({ width, height, channels: 1, data: toU8(mask) });
}

function toU8(a: Float32Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!(v >= 0 && v <= 1)) throw new HeadsplatError(`encodePng (data): image values must be in [0, 1], got ${v} at element ${i}`);
    out[i] = Math.round(v * 255);
  }
  return out;
}

export interface DecodedImageF32 {
  width: number;
  height: number;
  /** (H, W, 3) in [0, 1]; RGBA is composited over `background`. */
  rgb: Float32Array;
  /** (H, W) alpha when the PNG has one, else null. */
  alpha: Float32Array | null;
}

/** Decodes a PNG to float RGB (gray is replicated), checking its size against the expected one. */
export function decodeRgbPng(fn: string, path: string, bytes: Uint8Array, width: number, height: number, background: readonly number[]): DecodedImageF32 {
  const img = decodePng(bytes);
  checkSize(fn, path, img.width, img.height, width, height);
  const max = img.data instanceof Uint16Array ? 65535 : 255;
  const C = img.channels;
  const P = width * height;
  const rgb = new Float32Array(P * 3);
  const hasAlpha = C === 2 || C === 4;
  const alpha = hasAlpha ? new Float32Array(P) : null;
  for (let p = 0; p < P; p++) {
    const a = hasAlpha ? img.data[p * C + C - 1] / max : 1;
    if (alpha) alpha[p] = a;
    for (let k = 0; k < 3; k++) {
      const v = img.data[p * C + (C >= 3 ? k : 0)] / max;
      rgb[p * 3 + k] = hasAlpha ? v * a + background[k] * (1 - a) : v;
    }
  }
  return { width, height, rgb, alpha };
}

/** Decodes a mask PNG: gray (or the first channel; the alpha of gray+alpha / RGBA) in [0, 1]. */
export function decodeMaskPng(fn: string, path: string, bytes: Uint8Array, width: number, height: number): Float32Array {
  const img = decodePng(bytes);
  checkSize(fn, path, img.width, img.height, width, height);
  const max = img.data instanceof Uint16Array ? 65535 : 255;
  const C = img.channels;
  const ch = C === 2 || C === 4 ? C - 1 : 0;
  const out = new Float32Array(width * height);
  for (let p = 0; p < out.length; p++) out[p] = img.data[p * C + ch] / max;
  return out;
}

function checkSize(fn: string, path: string, w: number, h: number, width: number, height: number): void {
  if (w !== width || h !== height) throw new HeadsplatError(`${fn}: image '${path}' must be ${width}x${height} (the camera's w x h), got ${w}x${h}`);
}

/** Width and height from a PNG's IHDR chunk without decoding it. */
export function pngSize(fn: string, path: string, bytes: Uint8Array): { width: number; height: number } {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (bytes.length < 24 || !sig.every((b, i) => bytes[i] === b)) throw new HeadsplatError(`${fn}: '${path}' must be a PNG file, got ${bytes.length} bytes without the PNG signature`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}
