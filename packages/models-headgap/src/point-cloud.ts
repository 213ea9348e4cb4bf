/**
 * The part-based point cloud of HeadGAP: Gaussians placed evenly in the FLAME UV layout (one
 * per covered texel of a uvResolution² raster), each bound to its parent triangle, whose
 * region decides the Gaussian's part. Points are sorted by part so that each part's MLP runs
 * on one contiguous slice.
 * @see Zheng et al., "HeadGAP: Few-shot 3D Head Avatar via Generalizable Gaussian Priors", 2024, Sec. 3.1
 */
import { HeadsplatError } from '@headsplat/core';
import { assignFaceParts, sampleUvTexels, triangleFrames, type FlameModel } from '@headsplat/flame';
import type { HeadGapConfig } from './config.js';

export interface PointCloud {
  /** Number of Gaussians N. */
  count: number;
  /** Part names (index = part id); the fallback part ('rest') is last. */
  partNames: string[];
  /** (N,) part of each point, non-decreasing (points are sorted by part). */
  part: Int32Array;
  /** (P + 1,) first point of each part; part p holds points [offsets[p], offsets[p + 1]). */
  partOffsets: Int32Array;
  /** (N,) parent triangle. */
  face: Int32Array;
  /** (N, 3) barycentric coordinates in the parent triangle. */
  bary: Float32Array;
  /** (N, 3) position on the neutral template. */
  templatePositions: Float32Array;
  /** (N,) base standard deviation in units of the parent triangle's frame scale. */
  baseScale: Float32Array;
  /** (N, K) nearest neighbours on the template (ARAP). */
  neighbours: Int32Array;
  /** Neighbours per point K. */
  neighbourCount: number;
  /** Index of the mouth part in `partNames` (frozen during fine-tuning). */
  mouthPart: number;
}

/** Builds the point cloud of `model` (which must carry a UV layout and FLAME region masks). */
export function buildPointCloud(model: FlameModel, config: Pick<HeadGapConfig, 'uvResolution' | 'arapNeighbours'>): PointCloud {
  const fn = 'buildPointCloud';
  if (!model.uv) throw new HeadsplatError(`${fn}: model.uv must hold a UV layout (uvs, faceUvs), got none`);
  if (!model.masks) throw new HeadsplatError(`${fn}: model.masks must hold FLAME region masks (lips, nose, ...), got none`);
  const R = config.uvResolution;
  const samples = sampleUvTexels(model.uv.uvs, model.uv.faceUvs, R, R);
  const parts = assignFaceParts(model.faces, model.numVertices, model.masks);
  const n = samples.faceIndex.length;
  const K = config.arapNeighbours;
  if (n <= K) throw new HeadsplatError(`${fn}: config.uvResolution ${R} gives ${n} points; need more than arapNeighbours = ${K}`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => parts.faceParts[samples.faceIndex[a]] - parts.faceParts[samples.faceIndex[b]] || a - b);
  const P = parts.names.length;
  const part = new Int32Array(n), face = new Int32Array(n), bary = new Float32Array(n * 3), pos = new Float32Array(n * 3);
  const v = model.vTemplate, f = model.faces;
  for (let j = 0; j < n; j++) {
    const i = order[j];
    const fi = samples.faceIndex[i];
    face[j] = fi;
    part[j] = parts.faceParts[fi];
    for (let k = 0; k < 3; k++) {
      const w = samples.bary[i * 3 + k];
      bary[j * 3 + k] = w;
      for (let d = 0; d < 3; d++) pos[j * 3 + d] += w * v[f[fi * 3 + k] * 3 + d];
    }
  }
  const partOffsets = new Int32Array(P + 1);
  for (let j = 0; j < n; j++) partOffsets[part[j] + 1]++;
  for (let p = 0; p < P; p++) partOffsets[p + 1] += partOffsets[p];
  const neighbours = knn(pos, n, K);
  // Base sigma: 0.6 x the mean distance to the K nearest neighbours (neighbouring splats
  // overlap at about one sigma), expressed relative to the parent triangle's frame scale so
  // that it follows the triangle as the mesh stretches.
  const frames = triangleFrames(v, f);
  const baseScale = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let d = 0;
    for (let k = 0; k < K; k++) {
      const m = neighbours[j * K + k];
      d += Math.hypot(pos[j * 3] - pos[m * 3], pos[j * 3 + 1] - pos[m * 3 + 1], pos[j * 3 + 2] - pos[m * 3 + 2]);
    }
    baseScale[j] = (0.6 * d) / K / frames.scales[face[j]];
  }
  const mouthPart = parts.names.indexOf('mouth');
  if (mouthPart < 0) throw new HeadsplatError(`${fn}: the part list must contain 'mouth', got ${parts.names.join(', ')}`);
  return { count: n, partNames: parts.names, part, partOffsets, face, bary, templatePositions: pos, baseScale, neighbours, neighbourCount: K, mouthPart };
}

/** Brute-force K nearest neighbours (excluding the point itself); N is a few thousand. */
function knn(pos: Float32Array, n: number, K: number): Int32Array {
  const out = new Int32Array(n * K);
  const bestD = new Float64Array(K), bestI = new Int32Array(K);
  for (let i = 0; i < n; i++) {
    bestD.fill(Infinity);
    const x = pos[i * 3], y = pos[i * 3 + 1], z = pos[i * 3 + 2];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dx = pos[j * 3] - x, dy = pos[j * 3 + 1] - y, dz = pos[j * 3 + 2] - z;
      const d = dx * dx + dy * dy + dz * dz;
      if (d >= bestD[K - 1]) continue;
      let k = K - 1;
      while (k > 0 && bestD[k - 1] > d) { bestD[k] = bestD[k - 1]; bestI[k] = bestI[k - 1]; k--; }
      bestD[k] = d;
      bestI[k] = j;
    }
    out.set(bestI, i * K);
  }
  return out;
}
