/**
 * Per-frame geometry of the bound Gaussians, computed on the host from tracked FLAME
 * parameters (the mesh is given, not learned): surface points, parent-triangle frames, the
 * quaternion-composition matrices, the dynamic signal e and a mouth box for the loss.
 */
import { tensor, type Device, type Tensor } from '@headsplat/core';
import { flameForwardCpu, triangleFrames, type FlameFrameParams, type FlameModel } from '@headsplat/flame';
import type { Camera } from '@headsplat/splat-raster';
import type { PointCloud } from './point-cloud.js';

export interface FrameGeometry {
  /** (N, 3) points on the posed mesh (barycentric in the parent triangle). */
  surface: Tensor;
  /** (N, 3, 3) parent-triangle rotation times its frame scale: offset -> world displacement. */
  offsetBasis: Tensor;
  /** (N, 4, 4) left-multiplication matrix of the triangle's quaternion: q_world = L q_local. */
  quatBasis: Tensor;
  /** (N, 1) base standard deviation in world units (base scale x triangle frame scale). */
  sigma: Tensor;
  /** (N, 3) e = T(mu') - T(mu'_neutral) times config.dynamicScale. */
  dynamic: Tensor;
  /** (H, W) 1 inside the projected lips' bounding box (padded by 2 px), else 0. */
  mouthBox: Float32Array;
  /** Posed vertices (V, 3). */
  vertices: Float64Array;
}

function surfacePoints(verts: Float64Array, faces: Int32Array, cloud: PointCloud): Float32Array {
  const out = new Float32Array(cloud.count * 3);
  for (let j = 0; j < cloud.count; j++) {
    const fi = cloud.face[j];
    for (let k = 0; k < 3; k++) {
      const w = cloud.bary[j * 3 + k], vi = faces[fi * 3 + k] * 3;
      out[j * 3] += w * verts[vi];
      out[j * 3 + 1] += w * verts[vi + 1];
      out[j * 3 + 2] += w * verts[vi + 2];
    }
  }
  return out;
}

/** Rotation matrix (row-major 3x3) to a unit quaternion (w, x, y, z) (Shepperd's method). */
export function matrixToQuaternion(m: ArrayLike<number>, o = 0): [number, number, number, number] {
  const [a, b, c, d, e, f, g, h, i] = [m[o], m[o + 1], m[o + 2], m[o + 3], m[o + 4], m[o + 5], m[o + 6], m[o + 7], m[o + 8]];
  const tr = a + e + i;
  let q: [number, number, number, number];
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    q = [0.25 * s, (h - f) / s, (c - g) / s, (d - b) / s];
  } else if (a > e && a > i) {
    const s = Math.sqrt(1 + a - e - i) * 2;
    q = [(h - f) / s, 0.25 * s, (b + d) / s, (c + g) / s];
  } else if (e > i) {
    const s = Math.sqrt(1 + e - a - i) * 2;
    q = [(c - g) / s, (b + d) / s, 0.25 * s, (f + h) / s];
  } else {
    const s = Math.sqrt(1 + i - a - e) * 2;
    q = [(d - b) / s, (c + g) / s, (f + h) / s, 0.25 * s];
  }
  const n = Math.hypot(...q);
  return [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}

/** Projects world points with a splat-raster camera; returns pixel (u, v) pairs. */
export function projectPoints(camera: Camera, pts: ArrayLike<number>): Float64Array {
  const M = camera.viewMatrix;
  const n = pts.length / 3;
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const x = pts[i * 3], y = pts[i * 3 + 1], z = pts[i * 3 + 2];
    const X = M[0] * x + M[4] * y + M[8] * z + M[12];
    const Y = M[1] * x + M[5] * y + M[9] * z + M[13];
    const Z = M[2] * x + M[6] * y + M[10] * z + M[14];
    out[i * 2] = (camera.fx * X) / Z + camera.cx;
    out[i * 2 + 1] = (camera.fy * Y) / Z + camera.cy;
  }
  return out;
}

/**
 * Geometry of one frame. `params` are the tracked FLAME parameters, `camera` the view
 * (only for the mouth box). e compares the expression-only mesh (shape, expression, jaw,
 * eyes; no global pose) with the neutral one (shape only), as the paper's canonical-space
 * displacement.
 */
export function frameGeometry(model: FlameModel, cloud: PointCloud, params: FlameFrameParams, camera: Camera, opts: { dynamicScale: number; device?: Device }): FrameGeometry {
  const device = opts.device ?? 'cpu';
  const N = cloud.count;
  const posed = flameForwardCpu(model, params).vertices;
  const surface = surfacePoints(posed, model.faces, cloud);
  const frames = triangleFrames(posed, model.faces);
  const basis = new Float32Array(N * 9), quat = new Float32Array(N * 16), sigma = new Float32Array(N);
  for (let j = 0; j < N; j++) {
    const fi = cloud.face[j];
    const s = frames.scales[fi];
    for (let k = 0; k < 9; k++) basis[j * 9 + k] = frames.rotations[fi * 9 + k] * s;
    const [w, x, y, z] = matrixToQuaternion(frames.rotations, fi * 9);
    // Hamilton product q ⊗ r as a matrix acting on r = (w, x, y, z).
    quat.set([w, -x, -y, -z, x, w, -z, y, y, z, w, -x, z, -y, x, w], j * 16);
    sigma[j] = cloud.baseScale[j] * s;
  }
  const expr = flameForwardCpu(model, { shape: params.shape, expression: params.expression, jawPose: params.jawPose, eyesPose: params.eyesPose }).vertices;
  const neutral = flameForwardCpu(model, { shape: params.shape }).vertices;
  const pe = surfacePoints(expr, model.faces, cloud), pn = surfacePoints(neutral, model.faces, cloud);
  const dyn = new Float32Array(N * 3);
  for (let i = 0; i < N * 3; i++) dyn[i] = (pe[i] - pn[i]) * opts.dynamicScale;
  const mouthBox = new Float32Array(camera.width * camera.height);
  const lips = model.masks?.lips;
  if (lips && lips.length > 0) {
    const pts = new Float64Array(lips.length * 3);
    for (let i = 0; i < lips.length; i++) for (let d = 0; d < 3; d++) pts[i * 3 + d] = posed[lips[i] * 3 + d];
    const uv = projectPoints(camera, pts);
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < lips.length; i++) {
      x0 = Math.min(x0, uv[i * 2]); x1 = Math.max(x1, uv[i * 2]);
      y0 = Math.min(y0, uv[i * 2 + 1]); y1 = Math.max(y1, uv[i * 2 + 1]);
    }
    const clampX = (v: number) => Math.min(camera.width - 1, Math.max(0, Math.round(v)));
    const clampY = (v: number) => Math.min(camera.height - 1, Math.max(0, Math.round(v)));
    for (let y = clampY(y0 - 2); y <= clampY(y1 + 2); y++) for (let x = clampX(x0 - 2); x <= clampX(x1 + 2); x++) mouthBox[y * camera.width + x] = 1;
  }
  return {
    surface: tensor(surface, { shape: [N, 3], device }),
    offsetBasis: tensor(basis, { shape: [N, 3, 3], device }),
    quatBasis: tensor(quat, { shape: [N, 4, 4], device }),
    sigma: tensor(sigma, { shape: [N, 1], device }),
    dynamic: tensor(dyn, { shape: [N, 3], device }),
    mouthBox,
    vertices: posed,
  };
}

/** Releases the tensors of a frame's geometry. */
export function disposeGeometry(g: FrameGeometry): void {
  for (const t of [g.surface, g.offsetBasis, g.quatBasis, g.sigma, g.dynamic]) t.dispose();
}
