import { DEG, smoothstep } from './head-surface.js';
import type { HeadMesh } from './head-mesh.js';

/**
 * The synthetic model's rig: the joint regressor (each joint the mean of a few template
 * vertices, so joints follow the shape) and smooth skinning weights.
 *
 * global: the mean of a ring low on the neck; neck: a ring at the top of the neck; jaw: the
 * midpoint of two vertices below the ears; eyes: the mean of each eyeball (its centre).
 */
export function buildRegressor(mesh: HeadMesh): Float32Array {
  const V = mesh.positions.length / 3;
  const J = new Float32Array(5 * V);
  const ringNear = (theta: number) => Math.round((theta * (mesh.rings + 1)) / Math.PI - 1);
  const colNear = (phi: number) => {
    let best = 0;
    for (let c = 0; c < mesh.segments; c++) if (Math.abs(mesh.colPhi(c) - phi) < Math.abs(mesh.colPhi(best) - phi)) best = c;
    return best;
  };
  const ring = (j: number, r: number) => {
    for (let c = 0; c < mesh.segments; c++) J[j * V + mesh.vertex(r, c)] = 1 / mesh.segments;
  };
  const neckRing = ringNear(150 * DEG);
  ring(0, Math.max(ringNear(158 * DEG), neckRing + 1));
  ring(1, neckRing);
  const r = ringNear(100 * DEG);
  J[2 * V + mesh.vertex(r, colNear(85 * DEG))] += 0.5;
  J[2 * V + mesh.vertex(r, colNear(-85 * DEG))] += 0.5;
  for (let e = 0; e < 2; e++) {
    for (let k = 0; k < mesh.eyeVertexCount; k++) J[(3 + e) * V + mesh.eyeStart[e] + k] = 1 / mesh.eyeVertexCount;
  }
  return J;
}

/** Jaw influence of a head vertex at (θ, φ): the lower face below the lips, fading at the neck and the ears. */
export function jawRegion(theta: number, phi: number): number {
  return smoothstep(104.5 * DEG, 109 * DEG, theta) * (1 - smoothstep(136 * DEG, 148 * DEG, theta))
    * (1 - smoothstep(50 * DEG, 75 * DEG, Math.abs(phi)));
}

/** (V, 5) weights; `joints` (5, 3) are the template joints from the regressor. */
export function buildWeights(mesh: HeadMesh, joints: Float64Array): Float32Array {
  const V = mesh.positions.length / 3;
  const W = new Float32Array(V * 5);
  const yG = joints[1], yN = joints[4];
  for (let v = 0; v < mesh.numHeadVertices; v++) {
    const y = mesh.positions[v * 3 + 1];
    const wn = smoothstep(yG + 0.25 * (yN - yG), yN + 0.025, y);
    const wj = jawRegion(mesh.angles[v * 2], mesh.angles[v * 2 + 1]);
    W[v * 5] = (1 - wj) * (1 - wn);
    W[v * 5 + 1] = (1 - wj) * wn;
    W[v * 5 + 2] = wj;
  }
  for (let e = 0; e < 2; e++) {
    for (let k = 0; k < mesh.eyeVertexCount; k++) W[(mesh.eyeStart[e] + k) * 5 + 3 + e] = 1;
  }
  return W;
}
