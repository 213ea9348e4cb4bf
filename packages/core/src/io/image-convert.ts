import { ioFail } from './io-error.js';
import type { ImageU8 } from './png.js';

/** A float image, interleaved HWC like ImageU8, nominally in [0, 1]. */
export interface ImageF32 {
  width: number;
  height: number;
  channels: number;
  data: Float32Array;
}

export interface ToUint8Options {
  /** Clamp values outside [0, 1] instead of throwing. NaN always throws. Default false. */
  clamp?: boolean;
}

/**
 * float32 HWC in [0, 1] -> 8-bit, `round(v * 255)` (halves round up). NaN throws; values
 * outside [0, 1] throw naming the first bad pixel unless `clamp: true`.
 */
export function floatToUint8Image(image: ImageF32, options: ToUint8Options = {}): ImageU8 {
  const FN = 'floatToUint8Image';
  const { width, height, channels, data } = image;
  if (!(data instanceof Float32Array)) ioFail(FN, `image.data must be a Float32Array, got ${(data as object)?.constructor?.name ?? data}`);
  if (data.length !== width * height * channels) {
    ioFail(FN, `image.data must have width*height*channels = ${width}*${height}*${channels} = ${width * height * channels} elements, got ${data.length}`);
  }
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    let v = data[i];
    if (!(v >= 0 && v <= 1)) {
      if (Number.isNaN(v) || !options.clamp) {
        const p = Math.floor(i / channels);
        ioFail(FN, `image.data must be in [0, 1]${Number.isNaN(v) ? '' : ' (or pass clamp: true)'}, got ${v} ` +
          `at pixel x=${p % width}, y=${Math.floor(p / width)}, channel ${i % channels}`);
      }
      v = v < 0 ? 0 : 1;
    }
    out[i] = Math.round(v * 255);
  }
  return { width, height, channels, data: out };
}

/** 8-bit or 16-bit HWC -> float32 in [0, 1] (v / 255 or v / 65535). */
export function uintToFloatImage(image: { width: number; height: number; channels: number; data: Uint8Array | Uint16Array }): ImageF32 {
  const max = image.data instanceof Uint16Array ? 65535 : 255;
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i] / max;
  return { width: image.width, height: image.height, channels: image.channels, data: out };
}
