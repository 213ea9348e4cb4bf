/**
 * Camera helpers. Our cameras are splat-raster's: OpenCV axes (x right, y down, z forward),
 * world-to-camera `viewMatrix` 4x4 column-major (index c * 4 + r). NeRF / OpenGL files store
 * camera-to-world matrices with x right, y up, z backward: c2w_cv = c2w_gl · diag(1, -1, -1, 1).
 */
import { dataFail, raw } from './errors.js';

export type Vec3 = [number, number, number];

const sub3 = (a: ArrayLike<number>, b: ArrayLike<number>): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross3 = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const normalize3 = (a: ArrayLike<number>): Vec3 => {
  const n = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / n, a[1] / n, a[2] / n];
};

/**
 * World-to-camera (column-major 4x4) of a camera at `eye` looking at `target`, image y down
 * along the world's -`up` as far as the view direction allows.
 */
export function lookAtViewMatrix(eye: ArrayLike<number>, target: ArrayLike<number>, up: ArrayLike<number> = [0, 1, 0]): Float32Array {
  const z = normalize3(sub3(target, eye));
  const down: Vec3 = [-up[0], -up[1], -up[2]];
  const side = cross3(down, z);
  const n = Math.hypot(side[0], side[1], side[2]);
  if (!(n > 1e-9 * Math.hypot(down[0], down[1], down[2]))) dataFail('lookAtViewMatrix', 'up', 'a direction not parallel to the view direction (target - eye), and eye != target', raw(`up [${Array.from(up).join(', ')}], view direction [${z.join(', ')}]`));
  const x = normalize3(side);
  const y = cross3(z, x);
  const R = [x, y, z];
  const m = new Float32Array(16);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) m[c * 4 + r] = R[r][c];
    m[12 + r] = -(R[r][0] * eye[0] + R[r][1] * eye[1] + R[r][2] * eye[2]);
  }
  m[15] = 1;
  return m;
}

/** Row-major 4x4 from column-major and back (the same transpose). */
export function transpose4(m: ArrayLike<number>): Float64Array {
  const out = new Float64Array(16);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) out[r * 4 + c] = m[c * 4 + r];
  return out;
}

/** Inverse of a rigid 4x4 [R | t; 0 0 0 1] given row-major; returned row-major. */
export function invertRigidRowMajor(m: ArrayLike<number>): Float64Array {
  const out = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[r * 4 + c] = m[c * 4 + r];
    out[r * 4 + 3] = -(m[0 * 4 + r] * m[3] + m[1 * 4 + r] * m[7] + m[2 * 4 + r] * m[11]);
  }
  out[15] = 1;
  return out;
}

/**
 * Checks a row-major 4x4 camera matrix: finite, last row (0, 0, 0, 1), rotation block
 * orthonormal with determinant +1 (tolerance `tol` on R Rᵀ − I and det − 1).
 */
export function checkRigidRowMajor(fn: string, arg: string, m: ArrayLike<number>, tol = 1e-4): void {
  if (!m || m.length !== 16) dataFail(fn, arg, 'a 4x4 matrix (16 numbers)', m);
  for (let i = 0; i < 16; i++) if (!Number.isFinite(m[i])) dataFail(fn, arg, 'finite', raw(`${m[i]} at row ${Math.floor(i / 4)}, column ${i % 4}`));
  if (Math.abs(m[12]) > tol || Math.abs(m[13]) > tol || Math.abs(m[14]) > tol || Math.abs(m[15] - 1) > tol) {
    dataFail(fn, arg, 'a rigid transform with last row [0, 0, 0, 1]', raw(`last row [${[m[12], m[13], m[14], m[15]].join(', ')}]`));
  }
  let worst = 0;
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      let d = 0;
      for (let k = 0; k < 3; k++) d += m[a * 4 + k] * m[b * 4 + k];
      worst = Math.max(worst, Math.abs(d - (a === b ? 1 : 0)));
    }
  }
  const det = m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8]) + m[2] * (m[4] * m[9] - m[5] * m[8]);
  if (worst > tol || Math.abs(det - 1) > tol) {
    dataFail(fn, arg, `rigid (an orthonormal rotation with determinant +1, tolerance ${tol})`, raw(`a matrix with max |R Rᵀ − I| = ${worst.toExponential(2)} and det R = ${det.toFixed(6)}`));
  }
}

/** OpenCV world-to-camera (column-major) -> NeRF/OpenGL camera-to-world (row-major). */
export function viewMatrixToNerfTransform(view: ArrayLike<number>): Float64Array {
  const c2w = invertRigidRowMajor(transpose4(view));
  for (let r = 0; r < 3; r++) {
    c2w[r * 4 + 1] = -c2w[r * 4 + 1];
    c2w[r * 4 + 2] = -c2w[r * 4 + 2];
  }
  return c2w;
}

/** NeRF/OpenGL camera-to-world (row-major) -> OpenCV world-to-camera (column-major). */
export function nerfTransformToViewMatrix(c2wGl: ArrayLike<number>): Float32Array {
  const c2w = Float64Array.from(c2wGl);
  for (let r = 0; r < 3; r++) {
    c2w[r * 4 + 1] = -c2w[r * 4 + 1];
    c2w[r * 4 + 2] = -c2w[r * 4 + 2];
  }
  return Float32Array.from(transpose4(invertRigidRowMajor(c2w)));
}

/** Flips the camera's y and z axes of a world-to-camera matrix (row-major): OpenCV <-> OpenGL camera axes. */
export function flipCameraYZRowMajor(w2c: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(w2c);
  for (let r = 1; r < 3; r++) for (let c = 0; c < 4; c++) out[r * 4 + c] = -out[r * 4 + c];
  return out;
}

/** Camera centre in world coordinates of a column-major world-to-camera matrix. */
export function cameraCenter(view: ArrayLike<number>): Vec3 {
  const m = invertRigidRowMajor(transpose4(view));
  return [m[3], m[7], m[11]];
}
