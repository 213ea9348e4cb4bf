import { DEG, HEAD } from './head-surface.js';
import type { HeadMesh } from './head-mesh.js';

/**
 * Vertex masks with the names of FLAME_masks.pkl (vertex index arrays), from angular regions
 * of the synthetic head. Regions overlap as FLAME's do (e.g. 'face' contains 'nose').
 */
export function buildMasks(mesh: HeadMesh): Record<string, Int32Array> {
  const d = DEG;
  const near = (t: number, p: number, t0: number, p0: number, r: number) => Math.hypot(t - t0, p - p0) < r;
  const tests: Record<string, (t: number, p: number) => boolean> = {
    scalp: (t, p) => t < 58 * d || (Math.abs(p) > 100 * d && t < 125 * d),
    forehead: (t, p) => t >= 45 * d && t < 70 * d && Math.abs(p) < 50 * d,
    face: (t, p) => t >= 58 * d && t < 140 * d && Math.abs(p) < 72 * d,
    nose: (t, p) => t >= 78 * d && t < 100 * d && Math.abs(p) < 10 * d,
    lips: (t, p) => t >= 101 * d && t < 113 * d && Math.abs(p) < 21 * d,
    left_eye_region: (t, p) => near(t, p, HEAD.eyeTheta, HEAD.eyePhi, 14 * d),
    right_eye_region: (t, p) => near(t, p, HEAD.eyeTheta, -HEAD.eyePhi, 14 * d),
    eye_region: (t, p) => near(t, p, HEAD.eyeTheta, HEAD.eyePhi, 14 * d) || near(t, p, HEAD.eyeTheta, -HEAD.eyePhi, 14 * d),
    left_ear: (t, p) => near(t, p, 92 * d, 90 * d, 11 * d),
    right_ear: (t, p) => near(t, p, 92 * d, -90 * d, 11 * d),
    neck: (t) => t >= 140 * d,
    boundary: (t) => t >= 170 * d,
  };
  const out: Record<string, Int32Array> = {};
  for (const [name, test] of Object.entries(tests)) {
    const idx: number[] = [];
    for (let v = 0; v < mesh.numHeadVertices; v++) if (test(mesh.angles[v * 2], mesh.angles[v * 2 + 1])) idx.push(v);
    out[name] = Int32Array.from(idx);
  }
  const eye = (e: number) => Int32Array.from({ length: mesh.eyeVertexCount }, (_, k) => mesh.eyeStart[e] + k);
  out.left_eyeball = eye(0);
  out.right_eyeball = eye(1);
  return out;
}
