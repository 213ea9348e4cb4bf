import { FLAME_YAW_BINS, type FlameLandmarkEmbedding } from './flame-model.js';
import { mul3, rodrigues } from './rotation.js';

/**
 * FLAME's dynamic contour: the 17 jaw-line landmarks are re-embedded per head yaw so that they
 * follow the silhouette. The yaw is the y-Euler angle of R_global · R_neck, rounded to whole
 * degrees and capped at 39; bins 0..39 hold yaw 0..39 and bins 40..78 hold yaw -1..-39
 * (anything below -39 uses bin 78).
 * @see FLAME_PyTorch, `_find_dynamic_lmk_idx_and_bcoords` (github.com/soubhiksanyal/FLAME_PyTorch)
 */
export function yawToContourBin(yawDegrees: number): number {
  const a = Math.min(Math.round(yawDegrees), 39);
  if (a >= 0) return a;
  if (a < -39) return FLAME_YAW_BINS - 1;
  return 39 - a;
}

/** The yaw (degrees) of the head from the global and neck axis-angle rotations. */
export function headYawDegrees(rotation: ArrayLike<number>, neckPose: ArrayLike<number>): number {
  const r = mul3(rodrigues(rotation), rodrigues(neckPose));
  return (Math.atan2(-r[6], Math.hypot(r[0], r[3])) * 180) / Math.PI;
}

export interface LandmarkChoice {
  faces: Int32Array;
  bary: Float32Array;
}

/**
 * The landmark faces and barycentrics to use for one frame: with a dynamic embedding and
 * `dynamic` on, the contour of the yaw bin followed by the static landmarks (17 + 51 = 68 for
 * FLAME); otherwise the full static 68-point embedding when present, else the static one.
 */
export function chooseLandmarks(emb: FlameLandmarkEmbedding, yawDegrees: number, dynamic = true): LandmarkChoice {
  if (dynamic && emb.dynamicFaces && emb.dynamicBary && emb.dynamicCount) {
    const k = emb.dynamicCount;
    const bin = yawToContourBin(yawDegrees);
    const l = emb.staticFaces.length;
    const faces = new Int32Array(k + l);
    const bary = new Float32Array((k + l) * 3);
    faces.set(emb.dynamicFaces.subarray(bin * k, bin * k + k), 0);
    bary.set(emb.dynamicBary.subarray(bin * k * 3, (bin + 1) * k * 3), 0);
    faces.set(emb.staticFaces, k);
    bary.set(emb.staticBary, k * 3);
    return { faces, bary };
  }
  if (emb.fullFaces && emb.fullBary) return { faces: emb.fullFaces, bary: emb.fullBary };
  return { faces: emb.staticFaces, bary: emb.staticBary };
}

/** Points at barycentric positions inside faces of a (V, 3) vertex array: (L, 3). */
export function interpolateOnFaces(
  vertices: ArrayLike<number>, faces: ArrayLike<number>, faceIdx: ArrayLike<number>, bary: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(faceIdx.length * 3);
  for (let l = 0; l < faceIdx.length; l++) {
    const f = faceIdx[l];
    for (let k = 0; k < 3; k++) {
      const v = faces[f * 3 + k];
      const w = bary[l * 3 + k];
      for (let c = 0; c < 3; c++) out[l * 3 + c] += w * vertices[v * 3 + c];
    }
  }
  return out;
}
