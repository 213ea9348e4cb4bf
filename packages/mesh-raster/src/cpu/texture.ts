/**
 * Bilinear texture lookup by UV (N points, any layout: (H, W, 2) pixels flatten to N).
 *
 * Convention: u runs along the texture's width, v along its height (row 0 at v = 0);
 * texel (i, j) has its centre at ((i + 0.5) / width, (j + 0.5) / height), as in WebGPU /
 * OpenGL texture sampling. With x = u W - 1/2, x0 = floor(x), a = x - x0 (and y, y0, b
 * likewise): out = (1-a)(1-b) T[y0][x0] + a(1-b) T[y0][x0+1] + (1-a)b T[y0+1][x0] + ab T[y0+1][x0+1],
 * where out-of-range indices wrap (mod width / height) or clamp to the edge texel.
 *
 * Backward: the four weights scatter the upstream gradient into the texture;
 * dout/du = W ((1-b)(T01 - T00) + b (T11 - T10)) and dout/dv likewise (0 across a clamped edge).
 */

import type { Texture, TextureWrap } from '../types.js';
import { MeshRasterInputError, checkFiniteArray, validateTexture, validateWrap } from '../validate.js';

export interface TextureOptions {
  /** Default 'wrap'. */
  wrap?: TextureWrap;
}

export interface TextureGradients {
  /** (height, width, channels) */
  texture: Float64Array;
  /** (N, 2) */
  uv: Float64Array;
}

function wrapIndex(i: number, n: number, wrap: TextureWrap): number {
  if (wrap === 'clamp') return i < 0 ? 0 : i >= n ? n - 1 : i;
  return ((i % n) + n) % n;
}

interface Taps {
  o00: number;
  o01: number;
  o10: number;
  o11: number;
  a: number;
  b: number;
}

function taps(tex: Texture, u: number, v: number, wrap: TextureWrap): Taps {
  const x = u * tex.width - 0.5;
  const y = v * tex.height - 0.5;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const xa = wrapIndex(x0, tex.width, wrap), xb = wrapIndex(x0 + 1, tex.width, wrap);
  const ya = wrapIndex(y0, tex.height, wrap), yb = wrapIndex(y0 + 1, tex.height, wrap);
  const C = tex.channels;
  const W = tex.width;
  return { o00: (ya * W + xa) * C, o01: (ya * W + xb) * C, o10: (yb * W + xa) * C, o11: (yb * W + xb) * C, a: x - x0, b: y - y0 };
}

function checkUv(fn: string, uv: ArrayLike<number>): number {
  if (uv === null || typeof uv !== 'object' || uv.length % 2 !== 0) {
    throw new MeshRasterInputError(fn, 'uv', 'an (N, 2) Float32Array / Float64Array', uv ? `length ${uv.length}` : String(uv));
  }
  checkFiniteArray(fn, 'uv', uv, uv.length);
  return uv.length / 2;
}

/** Returns (N, C) bilinear samples of `tex` at `uv` (N, 2). */
export function textureCpu(tex: Texture, uv: ArrayLike<number>, options: TextureOptions = {}): Float64Array {
  const fn = 'textureCpu';
  validateTexture(fn, tex);
  const wrap = validateWrap(fn, options.wrap);
  const N = checkUv(fn, uv);
  const C = tex.channels;
  const d = tex.data;
  const out = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    const { o00, o01, o10, o11, a, b } = taps(tex, uv[2 * n], uv[2 * n + 1], wrap);
    const w00 = (1 - a) * (1 - b), w01 = a * (1 - b), w10 = (1 - a) * b, w11 = a * b;
    for (let c = 0; c < C; c++) out[n * C + c] = w00 * d[o00 + c] + w01 * d[o01 + c] + w10 * d[o10 + c] + w11 * d[o11 + c];
  }
  return out;
}

export function textureBackwardCpu(tex: Texture, uv: ArrayLike<number>, gradOut: ArrayLike<number>, options: TextureOptions = {}): TextureGradients {
  const fn = 'textureBackwardCpu';
  validateTexture(fn, tex);
  const wrap = validateWrap(fn, options.wrap);
  const N = checkUv(fn, uv);
  const C = tex.channels;
  checkFiniteArray(fn, 'gradOut', gradOut, N * C, 'N * channels = ');
  const d = tex.data;
  const gT = new Float64Array(d.length);
  const gUv = new Float64Array(2 * N);
  for (let n = 0; n < N; n++) {
    const { o00, o01, o10, o11, a, b } = taps(tex, uv[2 * n], uv[2 * n + 1], wrap);
    const w00 = (1 - a) * (1 - b), w01 = a * (1 - b), w10 = (1 - a) * b, w11 = a * b;
    let ga = 0;
    let gb = 0;
    for (let c = 0; c < C; c++) {
      const g = gradOut[n * C + c];
      gT[o00 + c] += w00 * g;
      gT[o01 + c] += w01 * g;
      gT[o10 + c] += w10 * g;
      gT[o11 + c] += w11 * g;
      ga += g * ((1 - b) * (d[o01 + c] - d[o00 + c]) + b * (d[o11 + c] - d[o10 + c]));
      gb += g * ((1 - a) * (d[o10 + c] - d[o00 + c]) + a * (d[o11 + c] - d[o01 + c]));
    }
    gUv[2 * n] = ga * tex.width;
    gUv[2 * n + 1] = gb * tex.height;
  }
  return { texture: gT, uv: gUv };
}
