/**
 * Attribute interpolation at rasterised pixels (nvdiffrast's `interpolate`):
 * out[p] = u a[f0] + v a[f1] + (1 - u - v) a[f2] for the pixel's face f, 0 on background.
 * `faces` may differ from the rasterised mesh's (e.g. UV faces with seams) as long as
 * it has the same face count.
 *
 * Backward: dL/da[f_k] += b_k g[p]; dL/du = g . (a0 - a2), dL/dv = g . (a1 - a2).
 */

import type { IndexArray, RasterOutput } from '../types.js';
import { MeshRasterInputError, checkFiniteArray, checkPositiveInteger, validateFaces } from '../validate.js';

export interface InterpolateGradients {
  /** (V, C) */
  attributes: Float64Array;
  /** (H, W, 2): feed to `rasterizeBackwardCpu` as `bary` to reach the positions. */
  bary: Float64Array;
}

function check(fn: string, attributes: ArrayLike<number>, channels: number, faces: IndexArray, rast: RasterOutput): number {
  checkPositiveInteger(fn, 'channels', channels);
  if (attributes.length % channels !== 0) throw new MeshRasterInputError(fn, 'attributes', `a length divisible by channels = ${channels}`, `${attributes.length}`);
  const V = attributes.length / channels;
  checkFiniteArray(fn, 'attributes', attributes, V * channels);
  const F = validateFaces(fn, faces, V);
  for (let p = 0; p < rast.triId.length; p++) {
    if (rast.triId[p] >= F) throw new MeshRasterInputError(fn, 'rast.triId', `ids < F = ${F} (faces)`, `${rast.triId[p]} at pixel ${p}`);
  }
  return V;
}

/** Returns (H, W, C) interpolated attributes. */
export function interpolateCpu(attributes: ArrayLike<number>, channels: number, faces: IndexArray, rast: RasterOutput): Float64Array {
  check('interpolateCpu', attributes, channels, faces, rast);
  const C = channels;
  const P = rast.width * rast.height;
  const out = new Float64Array(P * C);
  for (let p = 0; p < P; p++) {
    const f = rast.triId[p];
    if (f < 0) continue;
    const u = rast.bary[2 * p];
    const v = rast.bary[2 * p + 1];
    const w = 1 - u - v;
    const o0 = faces[3 * f] * C, o1 = faces[3 * f + 1] * C, o2 = faces[3 * f + 2] * C;
    for (let c = 0; c < C; c++) out[p * C + c] = u * attributes[o0 + c] + v * attributes[o1 + c] + w * attributes[o2 + c];
  }
  return out;
}

export function interpolateBackwardCpu(
  attributes: ArrayLike<number>,
  channels: number,
  faces: IndexArray,
  rast: RasterOutput,
  gradOut: ArrayLike<number>,
): InterpolateGradients {
  const fn = 'interpolateBackwardCpu';
  const V = check(fn, attributes, channels, faces, rast);
  const C = channels;
  const P = rast.width * rast.height;
  checkFiniteArray(fn, 'gradOut', gradOut, P * C, 'H * W * C = ');
  const gA = new Float64Array(V * C);
  const gB = new Float64Array(2 * P);
  for (let p = 0; p < P; p++) {
    const f = rast.triId[p];
    if (f < 0) continue;
    const u = rast.bary[2 * p];
    const v = rast.bary[2 * p + 1];
    const w = 1 - u - v;
    const o0 = faces[3 * f] * C, o1 = faces[3 * f + 1] * C, o2 = faces[3 * f + 2] * C;
    let gu = 0;
    let gv = 0;
    for (let c = 0; c < C; c++) {
      const g = gradOut[p * C + c];
      const a2 = attributes[o2 + c];
      gu += g * (attributes[o0 + c] - a2);
      gv += g * (attributes[o1 + c] - a2);
      gA[o0 + c] += u * g;
      gA[o1 + c] += v * g;
      gA[o2 + c] += w * g;
    }
    gB[2 * p] = gu;
    gB[2 * p + 1] = gv;
  }
  return { attributes: gA, bary: gB };
}
