/**
 * 3D covariance of a Gaussian from its scale and rotation, and its vector-Jacobian
 * products.
 *
 * Sigma = M M^T with M = R(q / |q|) diag(s)   (3DGS, Kerbl et al. 2023, eq. 6)
 * R(q) for q = (w, x, y, z) is the standard unit-quaternion rotation matrix
 * (3DGS `computeCov3D`, gsplat `quat_to_rotmat`).
 *
 * API
 * - `quatToRotation(w, x, y, z) -> Mat3`                  q must be unit length
 * - `covariance3d(quat, scale) -> { sigma, R, qn, norm }` quat any non-zero norm
 * - `covariance3dVjp(cache, vSigma) -> { vQuat, vScale }` vSigma symmetric dL/dSigma
 */

import { type Mat3, mat3Mul, mat3MulT } from './mat3.js';

export function quatToRotation(w: number, x: number, y: number, z: number): Mat3 {
  return [
    1 - 2 * (y * y + z * z),
    2 * (x * y - w * z),
    2 * (x * z + w * y),
    2 * (x * y + w * z),
    1 - 2 * (x * x + z * z),
    2 * (y * z - w * x),
    2 * (x * z - w * y),
    2 * (y * z + w * x),
    1 - 2 * (x * x + y * y),
  ];
}

/** dL/dq for unit q = (w, x, y, z), given dL/dR (row-major); q treated as a free 4-vector. */
export function quatToRotationVjp(q: ArrayLike<number>, v: Mat3): [number, number, number, number] {
  const [w, x, y, z] = [q[0], q[1], q[2], q[3]];
  return [
    2 * (-z * v[1] + y * v[2] + z * v[3] - x * v[5] - y * v[6] + x * v[7]),
    2 * (y * v[1] + z * v[2] + y * v[3] - 2 * x * v[4] - w * v[5] + z * v[6] + w * v[7] - 2 * x * v[8]),
    2 * (-2 * y * v[0] + x * v[1] + w * v[2] + x * v[3] + z * v[5] - w * v[6] + z * v[7] - 2 * y * v[8]),
    2 * (-2 * z * v[0] - w * v[1] + x * v[2] + w * v[3] - 2 * z * v[4] + y * v[5] + x * v[6] + y * v[7]),
  ];
}

export interface Covariance3d {
  sigma: Mat3;
  /** Rotation of the normalised quaternion. */
  R: Mat3;
  /** M = R diag(s). */
  M: Mat3;
  /** Normalised quaternion and the original norm (for the normalisation's gradient). */
  qn: [number, number, number, number];
  norm: number;
  scale: [number, number, number];
}

export function covariance3d(quat: ArrayLike<number>, scale: ArrayLike<number>): Covariance3d {
  const norm = Math.hypot(quat[0], quat[1], quat[2], quat[3]);
  const qn: [number, number, number, number] = [quat[0] / norm, quat[1] / norm, quat[2] / norm, quat[3] / norm];
  const R = quatToRotation(qn[0], qn[1], qn[2], qn[3]);
  const s: [number, number, number] = [scale[0], scale[1], scale[2]];
  const M = mat3Mul(R, [s[0], 0, 0, 0, s[1], 0, 0, 0, s[2]]);
  return { sigma: mat3MulT(M, M), R, M, qn, norm, scale: s };
}

/**
 * Gradients of Sigma(q, s) given a symmetric dL/dSigma:
 * dL/dM = 2 vSigma M; dL/dR = dL/dM diag(s); dL/ds_j = sum_i dL/dM_ij R_ij;
 * dL/dq = (I - qn qn^T) dL/dqn / |q| (normalisation).
 */
export function covariance3dVjp(cov: Covariance3d, vSigma: Mat3): { vQuat: [number, number, number, number]; vScale: [number, number, number] } {
  const vM = mat3Mul(vSigma, cov.M).map((x) => 2 * x);
  const vR = new Array<number>(9);
  const vScale: [number, number, number] = [0, 0, 0];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      vR[r * 3 + c] = vM[r * 3 + c] * cov.scale[c];
      vScale[c] += vM[r * 3 + c] * cov.R[r * 3 + c];
    }
  }
  const vqn = quatToRotationVjp(cov.qn, vR);
  const q = cov.qn;
  const dot = q[0] * vqn[0] + q[1] * vqn[1] + q[2] * vqn[2] + q[3] * vqn[3];
  const vQuat: [number, number, number, number] = [0, 0, 0, 0];
  for (let k = 0; k < 4; k++) vQuat[k] = (vqn[k] - q[k] * dot) / cov.norm;
  return { vQuat, vScale };
}
