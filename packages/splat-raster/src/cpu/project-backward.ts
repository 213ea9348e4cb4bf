/**
 * Backward of the per-Gaussian projection (project.ts): from gradients w.r.t. the
 * projected quantities (2D mean, conic, effective opacity, colour, camera depth) to
 * gradients w.r.t. the Gaussian's inputs and the view matrix.
 *
 * Exact derivative of the forward, including the 1.3x-frustum clamp of J: where x/z is
 * clamped, J02 = -fx * lim / z depends on z only (dJ02/dz = fx * ux / z^2) and not on x.
 * This agrees with gsplat's `persp_proj_vjp` (Utils.cuh); the original 3DGS backward
 * (`computeCov2DCUDA`) keeps the unclamped 2 fx tx / z^3 term in dL/dz there.
 * The antialiasing compensation sqrt(max(0, det / det')) is differentiated exactly
 * (gsplat floors it at MIN_COMPENSATION and adds 1e-6 in its gradient).
 *
 * API
 * - `projectGaussianVjp(cache, input, params, grads, out)`
 */

import { shBasisVjp, shCoeffCount } from '../sh.js';
import { covariance3dVjp } from './covariance.js';
import { type Mat3, addOuter, mat3Mul, mat3TMul, mat3TVec } from './mat3.js';
import type { GaussianInput, ProjectionCache, ProjectionParams } from './project.js';

/** Upstream gradients of one Gaussian's projected quantities. */
export interface ProjectedGrads {
  mean2d: [number, number];
  /** w.r.t. (A, B, C) of the conic [[A, B], [B, C]] (B counted once). */
  conic: [number, number, number];
  /** w.r.t. the effective (compensated) opacity. */
  opacity: number;
  rgb: [number, number, number];
  /** w.r.t. camera-space depth z (from the depth image). */
  depth: number;
}

/** Where the input gradients of one Gaussian go; view-matrix terms are accumulated. */
export interface InputGradsSink {
  mean: Float64Array;
  quat: Float64Array;
  scale: Float64Array;
  /** Raw (input) opacity gradient. */
  opacity: number;
  /** RGB (3) or SH coefficients (K * 3). */
  color: Float64Array;
  /** Accumulated over Gaussians. */
  viewR: Mat3;
  viewT: [number, number, number];
  camPos: [number, number, number];
}

export function projectGaussianVjp(
  c: ProjectionCache,
  g: GaussianInput,
  p: ProjectionParams,
  cam: { fx: number; fy: number },
  v: ProjectedGrads,
  out: InputGradsSink,
): void {
  const [x, y, z] = c.pCam;
  const { fx, fy } = cam;
  const vP = [0, 0, v.depth];

  // Opacity: o' = o * compensation.
  out.opacity = v.opacity * c.compensation;
  const vComp = v.opacity * g.opacity;

  // Conic = inverse(Sigma'): dL/dSigma' = -K G K, with G the symmetric conic gradient.
  const [A, B, C] = c.conic;
  const G = [v.conic[0], 0.5 * v.conic[1], v.conic[2]]; // (G00, G01 = G10, G11)
  // K G K for symmetric 2x2 K = [[A, B], [B, C]], G = [[g0, g1], [g1, g2]].
  const KG00 = A * G[0] + B * G[1];
  const KG01 = A * G[1] + B * G[2];
  const KG10 = B * G[0] + C * G[1];
  const KG11 = B * G[1] + C * G[2];
  let vS00 = -(KG00 * A + KG01 * B);
  let vS01 = -(KG00 * B + KG01 * C);
  let vS11 = -(KG10 * B + KG11 * C);

  // Compensation sqrt(det0 / det'): d ln comp = 0.5 (Sigma0^{-1} - Sigma'^{-1}) : dSigma.
  if (p.antialiased && c.compensation > 0) {
    const [a, b, cc] = c.cov2d;
    const det0 = a * cc - b * b;
    const s = 0.5 * vComp * c.compensation;
    vS00 += s * (cc / det0 - A);
    vS11 += s * (a / det0 - C);
    vS01 += s * (-b / det0 - B);
  }

  // Mean in pixels.
  vP[0] += (v.mean2d[0] * fx) / z;
  vP[1] += (v.mean2d[1] * fy) / z;
  vP[2] += (-v.mean2d[0] * fx * x) / (z * z) - (v.mean2d[1] * fy * y) / (z * z);

  // Sigma_2d = J Sigma_c J^T: dL/dSigma_c = J^T G2 J, dL/dJ = 2 G2 J Sigma_c.
  const J = c.J;
  const G2 = [vS00, vS01, vS01, vS11];
  const G2J = [0, 0, 0, 0, 0, 0];
  for (let r = 0; r < 2; r++) {
    for (let k = 0; k < 3; k++) G2J[r * 3 + k] = G2[r * 2] * J[k] + G2[r * 2 + 1] * J[3 + k];
  }
  const vSigmaCam: Mat3 = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) {
    for (let k = 0; k < 3; k++) vSigmaCam[i * 3 + k] = J[i] * G2J[k] + J[3 + i] * G2J[3 + k];
  }
  const S = c.sigmaCam;
  const vJ = [0, 0, 0, 0, 0, 0];
  for (let r = 0; r < 2; r++) {
    for (let k = 0; k < 3; k++) {
      vJ[r * 3 + k] = 2 * (G2J[r * 3] * S[k] + G2J[r * 3 + 1] * S[3 + k] + G2J[r * 3 + 2] * S[6 + k]);
    }
  }
  // J = [[fx/z, 0, -fx ux/z], [0, fy/z, -fy uy/z]], ux = clamp(x/z).
  vP[2] += (-fx / (z * z)) * vJ[0] + (-fy / (z * z)) * vJ[4];
  vP[2] += ((fx * c.ux) / (z * z)) * vJ[2] + ((fy * c.uy) / (z * z)) * vJ[5];
  const vUx = (-fx / z) * vJ[2];
  const vUy = (-fy / z) * vJ[5];
  if (c.xInside) {
    vP[0] += vUx / z;
    vP[2] += (-vUx * x) / (z * z);
  }
  if (c.yInside) {
    vP[1] += vUy / z;
    vP[2] += (-vUy * y) / (z * z);
  }

  // Sigma_c = R Sigma R^T: dL/dSigma = R^T V R, dL/dR += 2 V R Sigma.
  const vSigma = mat3Mul(mat3TMul(p.R, vSigmaCam), p.R);
  const vRcov = mat3Mul(mat3Mul(vSigmaCam, p.R), c.cov3d.sigma);
  for (let k = 0; k < 9; k++) out.viewR[k] += 2 * vRcov[k];
  const { vQuat, vScale } = covariance3dVjp(c.cov3d, vSigma);
  out.quat.set(vQuat);
  out.scale.set(vScale);

  // p = R m + t.
  const vMean = mat3TVec(p.R, vP);
  addOuter(out.viewR, vP, g.mean);
  out.viewT[0] += vP[0];
  out.viewT[1] += vP[1];
  out.viewT[2] += vP[2];

  // Colour.
  const vRgb = [0, 1, 2].map((ch) => (c.rgbClamped[ch] ? 0 : v.rgb[ch]));
  if (p.shDegree < 0) {
    out.color.set(vRgb);
  } else {
    const k = shCoeffCount(p.shDegree);
    const vBasis = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      for (let ch = 0; ch < 3; ch++) {
        out.color[3 * i + ch] = c.shBasis[i] * vRgb[ch];
        vBasis[i] += g.color[3 * i + ch] * vRgb[ch];
      }
    }
    const vDir = new Float64Array(3);
    shBasisVjp(p.shDegree, c.dir[0], c.dir[1], c.dir[2], vBasis, vDir);
    // dir = d / |d|, d = m - camPos.
    const dot = vDir[0] * c.dir[0] + vDir[1] * c.dir[1] + vDir[2] * c.dir[2];
    for (let a = 0; a < 3; a++) {
      const vd = (vDir[a] - c.dir[a] * dot) / c.dirLength;
      vMean[a] += vd;
      out.camPos[a] -= vd;
    }
  }
  out.mean.set(vMean);
}

/**
 * Camera centre c = -R^{-1} t: adds dL/dR = -(R^{-T} g) c^T and dL/dt = -R^{-T} g for an
 * accumulated dL/dc = g.
 */
export function cameraCenterVjp(
  Rinv: Mat3,
  camPos: ArrayLike<number>,
  vCamPos: ArrayLike<number>,
  viewR: Mat3,
  viewT: [number, number, number],
): void {
  const w = mat3TVec(Rinv, vCamPos);
  addOuter(viewR, w, camPos, -1);
  viewT[0] -= w[0];
  viewT[1] -= w[1];
  viewT[2] -= w[2];
}
