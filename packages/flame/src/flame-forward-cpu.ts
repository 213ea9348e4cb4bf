import { flameFail } from './errors.js';
import { FLAME_NUM_JOINTS, type FlameModel } from './flame-model.js';
import { fullPose, type FlameFrameParams } from './flame-params.js';
import { chooseLandmarks, headYawDegrees, interpolateOnFaces } from './landmark-selection.js';
import { rodrigues } from './rotation.js';

export interface FlameCpuOutput {
  /** (V, 3) posed vertices. */
  vertices: Float64Array;
  /** (5, 3) posed joint positions. */
  joints: Float64Array;
  /** (L, 3) landmarks (68 with FLAME's embeddings), empty without an embedding. */
  landmarks: Float64Array;
  /** (V, 3) template + shape + expression blendshapes, before pose. */
  vShaped: Float64Array;
  /** (5, 4, 4) row-major skinning transforms A_j (bind pose -> posed). */
  transforms: Float64Array;
}

export interface FlameCpuOptions {
  /** Use the dynamic contour embedding when the model has one (default true). */
  dynamicContour?: boolean;
}

/**
 * The FLAME forward pass for one frame in float64 on plain arrays: the reference the tensor
 * layer is tested against, and fast enough for examples (one pass over the blendshapes).
 * Steps (FLAME paper, Eq. 1-4; SMPL's LBS): v_shaped = T + S β + E ψ; J = 𝒥 v_shaped;
 * v_posed = v_shaped + P (R(θ_1..4) − I); the kinematic chain gives G_j; skinning with
 * A_j = G_j with translation t_j − R_j J_j; then the translation.
 */
export function flameForwardCpu(model: FlameModel, params: FlameFrameParams = {}, opts: FlameCpuOptions = {}): FlameCpuOutput {
  const fn = 'flameForwardCpu';
  const V = model.numVertices;
  const S = model.numShape;
  const E = model.numExpression;
  const beta = params.shape ?? [];
  const psi = params.expression ?? [];
  if (beta.length > S) flameFail(fn, 'params.shape', `at most ${S} coefficients (the model's shape components)`, beta);
  if (psi.length > E) flameFail(fn, 'params.expression', `at most ${E} coefficients (the model's expression components)`, psi);
  const pose = fullPose(fn, params);
  const trans = params.translation ?? [0, 0, 0];
  if (trans.length !== 3) flameFail(fn, 'params.translation', '3 numbers', trans);

  const vShaped = Float64Array.from(model.vTemplate);
  addBlend(vShaped, model.shapedirs, S, beta);
  addBlend(vShaped, model.exprdirs, E, psi);

  const J = new Float64Array(FLAME_NUM_JOINTS * 3);
  for (let j = 0; j < FLAME_NUM_JOINTS; j++) {
    for (let v = 0; v < V; v++) {
      const w = model.jRegressor[j * V + v];
      if (w === 0) continue;
      J[j * 3] += w * vShaped[v * 3];
      J[j * 3 + 1] += w * vShaped[v * 3 + 1];
      J[j * 3 + 2] += w * vShaped[v * 3 + 2];
    }
  }

  const rots: Float64Array[] = [];
  for (let j = 0; j < FLAME_NUM_JOINTS; j++) rots.push(rodrigues(pose, j * 3));
  const feat = new Float64Array(36);
  for (let j = 1; j < FLAME_NUM_JOINTS; j++) {
    for (let k = 0; k < 9; k++) feat[(j - 1) * 9 + k] = rots[j][k] - (k % 4 === 0 ? 1 : 0);
  }
  const vPosed = Float64Array.from(vShaped);
  addBlend(vPosed, model.posedirs, 36, feat);

  // Kinematic chain: G_j = G_parent [R_j | J_j - J_parent].
  const G: Float64Array[] = [];
  for (let j = 0; j < FLAME_NUM_JOINTS; j++) {
    const p = model.parents[j];
    const local = new Float64Array(16);
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) local[r * 4 + c] = rots[j][r * 3 + c];
      local[r * 4 + 3] = J[j * 3 + r] - (p >= 0 ? J[p * 3 + r] : 0);
    }
    local[15] = 1;
    G.push(p >= 0 ? mul4(G[p], local) : local);
  }
  const transforms = new Float64Array(FLAME_NUM_JOINTS * 16);
  const joints = new Float64Array(FLAME_NUM_JOINTS * 3);
  for (let j = 0; j < FLAME_NUM_JOINTS; j++) {
    const g = G[j];
    const a = transforms.subarray(j * 16, j * 16 + 16);
    a.set(g);
    for (let r = 0; r < 3; r++) {
      a[r * 4 + 3] = g[r * 4 + 3] - (g[r * 4] * J[j * 3] + g[r * 4 + 1] * J[j * 3 + 1] + g[r * 4 + 2] * J[j * 3 + 2]);
      joints[j * 3 + r] = g[r * 4 + 3] + trans[r];
    }
  }

  const vertices = new Float64Array(V * 3);
  const T = new Float64Array(12);
  for (let v = 0; v < V; v++) {
    T.fill(0);
    for (let j = 0; j < FLAME_NUM_JOINTS; j++) {
      const w = model.weights[v * FLAME_NUM_JOINTS + j];
      if (w === 0) continue;
      for (let k = 0; k < 12; k++) T[k] += w * transforms[j * 16 + k];
    }
    const x = vPosed[v * 3], y = vPosed[v * 3 + 1], z = vPosed[v * 3 + 2];
    for (let r = 0; r < 3; r++) vertices[v * 3 + r] = T[r * 4] * x + T[r * 4 + 1] * y + T[r * 4 + 2] * z + T[r * 4 + 3] + trans[r];
  }

  let landmarks: Float64Array = new Float64Array(0);
  if (model.landmarks) {
    const yaw = headYawDegrees(pose.subarray(0, 3), pose.subarray(3, 6));
    const { faces, bary } = chooseLandmarks(model.landmarks, yaw, opts.dynamicContour ?? true);
    landmarks = interpolateOnFaces(vertices, model.faces, faces, bary);
  }
  return { vertices, joints, landmarks, vShaped, transforms };
}

/** out += dirs (N, K) · coef (first coef.length of K columns). */
function addBlend(out: Float64Array, dirs: Float32Array, K: number, coef: ArrayLike<number>): void {
  const n = coef.length;
  if (n === 0) return;
  const c = Float64Array.from(coef as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    const base = i * K;
    for (let k = 0; k < n; k++) s += dirs[base + k] * c[k];
    out[i] += s;
  }
}

function mul4(a: Float64Array, b: Float64Array): Float64Array {
  const c = new Float64Array(16);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      c[i * 4 + j] = a[i * 4] * b[j] + a[i * 4 + 1] * b[4 + j] + a[i * 4 + 2] * b[8 + j] + a[i * 4 + 3] * b[12 + j];
    }
  }
  return c;
}
