import { Generator } from '@headsplat/core';
import { flameFail } from '../errors.js';
import { faceAreas } from './normals.js';

export interface SurfaceSamples {
  /** (N,) triangle of each sample. */
  faceIndex: Int32Array;
  /** (N, 3) barycentric coordinates. */
  bary: Float32Array;
  /** (N, 3) positions on the mesh. */
  points: Float32Array;
}

/**
 * `count` points uniformly distributed over the surface (area-weighted triangle choice, then
 * uniform barycentrics by the square-root warp: b = (1 − √u, √u (1 − v), √u v)), seeded.
 * @see Osada et al., "Shape distributions", ACM TOG 2002, Sec. 4.2
 */
export function sampleSurface(positions: ArrayLike<number>, faces: ArrayLike<number>, count: number, seed = 0): SurfaceSamples {
  if (!Number.isInteger(count) || count < 0) flameFail('sampleSurface', 'count', 'a non-negative integer', count);
  const areas = faceAreas(positions, faces);
  const cdf = new Float64Array(areas.length);
  let total = 0;
  for (let f = 0; f < areas.length; f++) cdf[f] = total += areas[f];
  if (!(total > 0)) flameFail('sampleSurface', 'faces', 'a mesh with positive area', total);
  const g = new Generator(seed);
  const faceIndex = new Int32Array(count);
  const bary = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    const x = g.nextFloat64() * total;
    let lo = 0, hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    faceIndex[i] = lo;
    const su = Math.sqrt(g.nextFloat64()), v = g.nextFloat64();
    bary[i * 3] = 1 - su;
    bary[i * 3 + 1] = su * (1 - v);
    bary[i * 3 + 2] = su * v;
  }
  return { faceIndex, bary, points: pointsFromBarycentric(positions, faces, faceIndex, bary) };
}

/** (N, 3) points at barycentric coordinates inside the given faces. */
export function pointsFromBarycentric(positions: ArrayLike<number>, faces: ArrayLike<number>, faceIndex: ArrayLike<number>, bary: ArrayLike<number>): Float32Array {
  const out = new Float32Array(faceIndex.length * 3);
  for (let i = 0; i < faceIndex.length; i++) {
    const f = faceIndex[i];
    for (let k = 0; k < 3; k++) {
      const v = faces[f * 3 + k], w = bary[i * 3 + k];
      for (let c = 0; c < 3; c++) out[i * 3 + c] += w * positions[v * 3 + c];
    }
  }
  return out;
}
