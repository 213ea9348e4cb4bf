import {
  add, axisAngleToMatrix, HeadsplatError, matmul, mul, reshape, sub, tensor, Tensor, zeros, type Device,
} from '@headsplat/core';
import { flameFail, raw } from '../errors.js';
import { FLAME_NUM_JOINTS, type FlameModel } from '../flame-model.js';
import { chooseLandmarks, headYawDegrees } from '../landmark-selection.js';

export interface FlameLayerOptions {
  /** Device of the constant tensors and of the inputs (default 'cpu'). */
  device?: Device;
  /** float32 (default) or float64 (CPU only, for gradient checks). */
  dtype?: 'float32' | 'float64';
  /** Shape components used (the first S of the model's; default all). */
  shapeComponents?: number;
  /** Expression components used (the first E of the model's; default all). */
  expressionComponents?: number;
}

/** Batched parameters, each (B, n); missing ones are zero. */
export interface FlameTensorParams {
  shape?: Tensor;
  expression?: Tensor;
  rotation?: Tensor;
  neckPose?: Tensor;
  jawPose?: Tensor;
  /** (B, 6): left eye then right eye. */
  eyesPose?: Tensor;
  translation?: Tensor;
}

export interface FlameForwardOptions {
  /** Batch size when no parameter is given. */
  batchSize?: number;
  /** Use the dynamic contour (needs the rotations on the host: CPU tensors, or pass `yawDegrees`). Default true. */
  dynamicContour?: boolean;
  /** Head yaw per batch item (degrees) for the contour, instead of reading the rotations back. */
  yawDegrees?: number[];
}

export interface FlameTensorOutput {
  /** (B, V, 3). */
  vertices: Tensor;
  /** (B, 5, 3). */
  joints: Tensor;
  /** (B, L, 3), or null when the model has no landmark embedding. */
  landmarks: Tensor | null;
}

const PARAM_SIZES: [keyof FlameTensorParams, number][] = [
  ['rotation', 3], ['neckPose', 3], ['jawPose', 3], ['eyesPose', 6], ['translation', 3],
];

/**
 * The FLAME forward pass on core tensors, batched and differentiable in every parameter on
 * every backend (matmuls, elementwise ops and Rodrigues only). Same steps as
 * `flameForwardCpu` (its reference): blendshapes as one GEMM each, joints as a GEMM with a
 * (3V, 15) regressor, pose features (R_j − I, j = 1..4), the kinematic chain on 3x3
 * rotations and translations, skinning as W (V, 5) · A (B, 5, 12), then translation;
 * landmarks as a (L, V) barycentric matrix times the vertices.
 */
export class FlameLayer {
  readonly model: FlameModel;
  readonly device: Device;
  readonly dtype: 'float32' | 'float64';
  readonly numShape: number;
  readonly numExpression: number;
  private readonly c: Record<string, Tensor> = {};

  constructor(model: FlameModel, options: FlameLayerOptions = {}) {
    const fn = 'FlameLayer';
    this.model = model;
    this.device = options.device ?? 'cpu';
    this.dtype = options.dtype ?? 'float32';
    const count = (arg: string, v: number | undefined, max: number) => {
      if (v === undefined) return max;
      if (!Number.isInteger(v) || v < 0 || v > max) flameFail(fn, `options.${arg}`, `an integer in [0, ${max}] (the model's components)`, v);
      return v;
    };
    this.numShape = count('shapeComponents', options.shapeComponents, model.numShape);
    this.numExpression = count('expressionComponents', options.expressionComponents, model.numExpression);
    const V = model.numVertices, V3 = V * 3;
    const make = (name: string, data: ArrayLike<number>, shape: number[]) => {
      this.c[name] = tensor(this.dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data), { shape, dtype: this.dtype, device: this.device });
    };
    make('template', model.vTemplate, [1, V3]);
    make('shapeT', transposeCols(model.shapedirs, V3, model.numShape, this.numShape), [this.numShape, V3]);
    make('exprT', transposeCols(model.exprdirs, V3, model.numExpression, this.numExpression), [this.numExpression, V3]);
    make('poseT', transposeCols(model.posedirs, V3, 36, 36), [36, V3]);
    // Joint regressor as (3V, 15): J[j*3+c] = Σ_v R[j, v] v_shaped[v*3+c].
    const jr = new Float64Array(V3 * 15);
    for (let j = 0; j < FLAME_NUM_JOINTS; j++) for (let v = 0; v < V; v++) for (let c = 0; c < 3; c++) jr[(v * 3 + c) * 15 + j * 3 + c] = model.jRegressor[j * V + v];
    make('jreg', jr, [V3, 15]);
    make('weights', model.weights, [V, FLAME_NUM_JOINTS]);
    // Pose placement: the 15 joint axis-angles from the parameter groups.
    const place = (at: number, n: number) => {
      const m = new Float64Array(n * 15);
      for (let i = 0; i < n; i++) m[i * 15 + at + i] = 1;
      return m;
    };
    make('placeRotation', place(0, 3), [3, 15]);
    make('placeNeck', place(3, 3), [3, 15]);
    make('placeJaw', place(6, 3), [3, 15]);
    make('placeEyes', place(9, 6), [6, 15]);
    // Pose feature: entries 9..44 of the flattened (5, 3, 3) rotations, minus the identity.
    const feat = new Float64Array(45 * 36);
    for (let k = 0; k < 36; k++) feat[(9 + k) * 36 + k] = 1;
    make('featSel', feat, [45, 36]);
    make('featEye', Array.from({ length: 36 }, (_, k) => (k % 9) % 4 === 0 ? 1 : 0), [36]);
    for (let j = 0; j < FLAME_NUM_JOINTS; j++) {
      const r = new Float64Array(45 * 9);
      for (let k = 0; k < 9; k++) r[(j * 9 + k) * 9 + k] = 1;
      make(`rotSel${j}`, r, [45, 9]);
      const t = new Float64Array(15 * 3);
      for (let k = 0; k < 3; k++) t[(j * 3 + k) * 3 + k] = 1;
      make(`jointSel${j}`, t, [15, 3]);
      // Placement of joint j's 3x4 [R | t] (row-major) into the (60) stack.
      const pr = new Float64Array(9 * 60), pt = new Float64Array(3 * 60), pj = new Float64Array(3 * 15);
      for (let r0 = 0; r0 < 3; r0++) {
        for (let c0 = 0; c0 < 3; c0++) pr[(r0 * 3 + c0) * 60 + j * 12 + r0 * 4 + c0] = 1;
        pt[r0 * 60 + j * 12 + r0 * 4 + 3] = 1;
        pj[r0 * 15 + j * 3 + r0] = 1;
      }
      make(`placeR${j}`, pr, [9, 60]);
      make(`placeT${j}`, pt, [3, 60]);
      make(`placeJ${j}`, pj, [3, 15]);
    }
    make('homog', [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], [3, 4]);
    make('homog1', [0, 0, 0, 1], [4]);
    make('ones4', [1, 1, 1, 1], [4, 1]);
  }

  /** Frees the layer's constant tensors. */
  dispose(): void {
    for (const t of Object.values(this.c)) t.dispose();
  }

  forward(params: FlameTensorParams = {}, options: FlameForwardOptions = {}): FlameTensorOutput {
    const fn = 'FlameLayer.forward';
    const c = this.c;
    const m = this.model;
    const V = m.numVertices;
    const B = this.batchOf(params, options.batchSize);
    this.check(params.shape, 'shape', B, this.numShape);
    this.check(params.expression, 'expression', B, this.numExpression);
    for (const [k, n] of PARAM_SIZES) this.check(params[k], k, B, n);

    let vShaped = add(c.template, zeros([B, 1], { dtype: this.dtype, device: this.device }));
    if (params.shape && this.numShape > 0) vShaped = add(vShaped, matmul(params.shape, c.shapeT));
    if (params.expression && this.numExpression > 0) vShaped = add(vShaped, matmul(params.expression, c.exprT));
    const jFlat = matmul(vShaped, c.jreg); // (B, 15)

    let pose = zeros([B, 15], { dtype: this.dtype, device: this.device });
    if (params.rotation) pose = add(pose, matmul(params.rotation, c.placeRotation));
    if (params.neckPose) pose = add(pose, matmul(params.neckPose, c.placeNeck));
    if (params.jawPose) pose = add(pose, matmul(params.jawPose, c.placeJaw));
    if (params.eyesPose) pose = add(pose, matmul(params.eyesPose, c.placeEyes));
    const rotFlat = reshape(axisAngleToMatrix(reshape(pose, [B, 5, 3])), [B, 45]);
    const feat = sub(matmul(rotFlat, c.featSel), c.featEye);
    const vPosed = reshape(add(vShaped, matmul(feat, c.poseT)), [B, V, 3]);

    // Kinematic chain: global rotation Rg_j and translation tg_j of each joint.
    const Rg: Tensor[] = [], tg: Tensor[] = [], J: Tensor[] = [];
    let stack: Tensor | null = null;
    let joints: Tensor | null = null;
    for (let j = 0; j < FLAME_NUM_JOINTS; j++) {
      const Rj = reshape(matmul(rotFlat, c[`rotSel${j}`]), [B, 3, 3]);
      J.push(matmul(jFlat, c[`jointSel${j}`]));
      const p = m.parents[j];
      if (p < 0) {
        Rg.push(Rj);
        tg.push(J[j]);
      } else {
        Rg.push(matmul(Rg[p], Rj));
        tg.push(add(applyRot(Rg[p], sub(J[j], J[p])), tg[p]));
      }
      // A_j = [Rg_j | tg_j − Rg_j J_j].
      const tA = sub(tg[j], applyRot(Rg[j], J[j]));
      const Aj = add(matmul(reshape(Rg[j], [B, 9]), c[`placeR${j}`]), matmul(tA, c[`placeT${j}`]));
      stack = stack ? add(stack, Aj) : Aj;
      const pj = matmul(tg[j], c[`placeJ${j}`]);
      joints = joints ? add(joints, pj) : pj;
    }
    const T = reshape(matmul(c.weights, reshape(stack!, [B, 5, 12])), [B, V, 3, 4]);
    const vh = reshape(add(matmul(vPosed, c.homog), c.homog1), [B, V, 1, 4]);
    let vertices = reshape(matmul(mul(T, vh), c.ones4), [B, V, 3]);
    let jointsOut = reshape(joints!, [B, 5, 3]);
    if (params.translation) {
      const t = reshape(params.translation, [B, 1, 3]);
      vertices = add(vertices, t);
      jointsOut = add(jointsOut, t);
    }

    let landmarks: Tensor | null = null;
    if (m.landmarks) {
      const dynamic = (options.dynamicContour ?? true) && !!m.landmarks.dynamicFaces;
      let yaws: number[] = new Array<number>(B).fill(0);
      if (dynamic) {
        if (options.yawDegrees) {
          if (options.yawDegrees.length !== B) flameFail(fn, 'options.yawDegrees', `${B} numbers (one per batch item)`, options.yawDegrees);
          yaws = options.yawDegrees;
        } else yaws = this.readYaws(params, B);
      }
      const L = chooseLandmarks(m.landmarks, yaws[0], dynamic).faces.length;
      const sel = new Float64Array(B * L * V);
      for (let b = 0; b < B; b++) {
        const { faces, bary } = chooseLandmarks(m.landmarks, yaws[b], dynamic);
        for (let l = 0; l < L; l++) for (let k = 0; k < 3; k++) sel[(b * L + l) * V + m.faces[faces[l] * 3 + k]] += bary[l * 3 + k];
      }
      const selT = tensor(this.dtype === 'float64' ? sel : Float32Array.from(sel), { shape: [B, L, V], dtype: this.dtype, device: this.device });
      landmarks = matmul(selT, vertices);
    }
    return { vertices, joints: jointsOut, landmarks };
  }

  private batchOf(params: FlameTensorParams, batchSize?: number): number {
    for (const t of Object.values(params)) if (t instanceof Tensor && t.rank >= 1) return t.shape[0];
    if (batchSize === undefined) return 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) flameFail('FlameLayer.forward', 'options.batchSize', 'a positive integer', batchSize);
    return batchSize;
  }

  private check(t: Tensor | undefined, name: string, B: number, n: number): void {
    if (t === undefined) return;
    const fn = 'FlameLayer.forward';
    if (!(t instanceof Tensor)) flameFail(fn, `params.${name}`, 'a Tensor', t);
    if (t.rank !== 2 || t.shape[0] !== B || t.shape[1] !== n) flameFail(fn, `params.${name}`, `of shape [${B}, ${n}]`, t);
    if (t.dtype !== this.dtype) flameFail(fn, `params.${name}`, `of dtype ${this.dtype} (the layer's)`, t);
    if (t.device !== this.device) flameFail(fn, `params.${name}`, `on device '${this.device}' (the layer's)`, raw(t.device));
  }

  private readYaws(params: FlameTensorParams, B: number): number[] {
    const read = (t: Tensor | undefined): ArrayLike<number> | null => {
      if (!t) return null;
      try {
        return t.dataSync();
      } catch {
        throw new HeadsplatError(`FlameLayer.forward: the dynamic contour needs the head rotation on the host; on device '${t.device}' pass options.yawDegrees or options.dynamicContour = false`);
      }
    };
    const r = read(params.rotation), n = read(params.neckPose);
    return Array.from({ length: B }, (_, b) => headYawDegrees(r ? Array.from(r).slice(b * 3, b * 3 + 3) : [0, 0, 0], n ? Array.from(n).slice(b * 3, b * 3 + 3) : [0, 0, 0]));
  }
}

/** R (B, 3, 3) applied to v (B, 3). */
function applyRot(R: Tensor, v: Tensor): Tensor {
  const B = v.shape[0];
  return reshape(matmul(R, reshape(v, [B, 3, 1])), [B, 3]);
}

/** (N, K) row-major -> (k, N): the first k columns, transposed. */
function transposeCols(src: Float32Array, N: number, K: number, k: number): Float64Array {
  const out = new Float64Array(k * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < k; j++) out[j * N + i] = src[i * K + j];
  return out;
}
