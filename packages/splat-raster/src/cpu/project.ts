/**
 * Per-Gaussian projection (the "preprocess" stage of 3DGS), CPU reference.
 *
 * For Gaussian i with world mean m, quaternion q, scale s, opacity o:
 * 1. p = R m + t (camera space, OpenCV). Culled when p.z <= near or p.z > far.
 * 2. Sigma = R(q) S S^T R(q)^T; camera-space Sigma_c = R Sigma R^T.
 * 3. EWA splatting (Zwicker et al. 2002; 3DGS eq. 5): Sigma_2d = J Sigma_c J^T with the
 *    perspective Jacobian
 *        J = [[fx/z, 0, -fx*ux/z], [0, fy/z, -fy*uy/z]],
 *    where ux = clamp(x/z, -limXNeg, limXPos), uy likewise. The limits are 1.3x the view
 *    frustum as in 3DGS; we use gsplat's form, which also handles off-centre principal
 *    points: limXPos = (W - cx)/fx + 0.3 * W/(2 fx), limXNeg = cx/fx + 0.3 * W/(2 fx)
 *    (equal to 3DGS's 1.3 * tan(fovx/2) when cx = W/2). The gradient is the exact
 *    derivative of this clamped J (see project-backward.ts).
 * 4. Dilation Sigma'_2d = Sigma_2d + eps2d I; conic = inverse(Sigma'_2d) stored (A, B, C)
 *    for [[A, B], [B, C]]. Antialiased mode (Mip-Splatting, Yu et al. 2024, eq. 9; gsplat
 *    'antialiased'): opacity *= sqrt(max(0, det Sigma_2d / det Sigma'_2d)).
 * 5. Mean in pixels: u = fx x/z + cx, v = fy y/z + cy (unclamped).
 * 6. Extent: alpha = o' exp(-q/2) >= 1/255 needs q <= d2 = 2 ln(255 o'); the ellipse
 *    q <= d2 has the axis-aligned half-extents ex = sqrt(d2 Sigma'_xx), ey = sqrt(d2 Sigma'_yy).
 *    o' < 1/255 => invisible. The splat covers the pixels whose centre (px + 0.5, py + 0.5)
 *    lies in [u - ex, u + ex] x [v - ey, v + ey]; none => culled (off-screen). Its tiles are
 *    the tiles of those pixels.
 *    `radius` = min(2^31 - 1, max(1, ceil(max(ex, ey)))) for rasterized splats, 0 for culled ones.
 * 7. Colour: precomputed RGB as is, or SH at the unit direction (m - camera centre) plus
 *    0.5, clamped below at 0 (3DGS `computeColorFromSH`). The camera centre is -R^{-1} t.
 *
 * In `smoothCutoff` mode steps 6's culling is skipped (the splat covers every tile) and the
 * SH clamp is skipped.
 *
 * API
 * - `projectGaussian(input, cam, params) -> ProjectionCache`   one Gaussian, all intermediates
 * - `projectionLimits(cam) -> { limXPos, limXNeg, limYPos, limYNeg }`
 * - `ALPHA_THRESHOLD` (1/255)
 */

import { shBasis, shCoeffCount } from '../sh.js';
import type { CameraInfo } from '../validate.js';
import { type Covariance3d, covariance3d } from './covariance.js';
import { type Mat3, mat3Mul, mat3MulT, mat3Vec } from './mat3.js';

/** Splats whose alpha falls below this are skipped (3DGS `if (alpha < 1.0f / 255.0f) continue`). */
export const ALPHA_THRESHOLD = 1 / 255;

/** Largest reported radius (int32 max). */
export const MAX_RADIUS = 2 ** 31 - 1;

export interface ProjectionLimits {
  limXPos: number;
  limXNeg: number;
  limYPos: number;
  limYNeg: number;
}

export function projectionLimits(cam: CameraInfo): ProjectionLimits {
  const tanX = (0.5 * cam.width) / cam.fx;
  const tanY = (0.5 * cam.height) / cam.fy;
  return {
    limXPos: (cam.width - cam.cx) / cam.fx + 0.3 * tanX,
    limXNeg: cam.cx / cam.fx + 0.3 * tanX,
    limYPos: (cam.height - cam.cy) / cam.fy + 0.3 * tanY,
    limYNeg: cam.cy / cam.fy + 0.3 * tanY,
  };
}

/** What the projection needs that is shared by all Gaussians of one render. */
export interface ProjectionParams {
  R: Mat3;
  t: [number, number, number];
  /** World-space camera centre -R^{-1} t. */
  camPos: [number, number, number];
  limits: ProjectionLimits;
  eps2d: number;
  antialiased: boolean;
  smoothCutoff: boolean;
  tileSize: number;
  /** -1 = precomputed RGB. */
  shDegree: number;
}

export interface GaussianInput {
  mean: ArrayLike<number>;
  quat: ArrayLike<number>;
  scale: ArrayLike<number>;
  opacity: number;
  /** RGB (3) or SH coefficients ((K, 3)). */
  color: ArrayLike<number>;
}

/** All intermediates of one Gaussian's projection (forward values, reused by the backward). */
export interface ProjectionCache {
  /** False when culled by near/far or a degenerate 2D covariance; nothing below is then set. */
  inDepthRange: boolean;
  /** True when the splat is rasterized (in range, opacity and extent tests passed). */
  visible: boolean;
  radius: number;
  /** Inclusive tile rectangle [x0, y0, x1, y1] (valid when visible). */
  tileRect: [number, number, number, number];
  pCam: [number, number, number];
  cov3d: Covariance3d;
  sigmaCam: Mat3;
  /** J row-major 2x3. */
  J: number[];
  /** Projected x/z, y/z after clamping and whether each was inside the limits. */
  ux: number;
  uy: number;
  xInside: boolean;
  yInside: boolean;
  /** Undilated 2D covariance (a, b, c) = [[a, b], [b, c]]. */
  cov2d: [number, number, number];
  /** Dilated determinant. */
  det: number;
  conic: [number, number, number];
  compensation: number;
  opacity: number;
  mean2d: [number, number];
  /** Colour after +0.5 / clamp (SH) or the RGB input. */
  rgb: [number, number, number];
  /** Per channel: whether the SH clamp at 0 was active (gradient zero). */
  rgbClamped: [boolean, boolean, boolean];
  /** Unit SH direction, unnormalised length, SH basis (SH mode only). */
  dir: [number, number, number];
  dirLength: number;
  shBasis: Float64Array;
}

function emptyCache(): ProjectionCache {
  return {
    inDepthRange: false,
    visible: false,
    radius: 0,
    tileRect: [0, 0, -1, -1],
    pCam: [0, 0, 0],
    cov3d: undefined as unknown as Covariance3d,
    sigmaCam: [],
    J: [],
    ux: 0,
    uy: 0,
    xInside: true,
    yInside: true,
    cov2d: [0, 0, 0],
    det: 0,
    conic: [0, 0, 0],
    compensation: 1,
    opacity: 0,
    mean2d: [0, 0],
    rgb: [0, 0, 0],
    rgbClamped: [false, false, false],
    dir: [0, 0, 1],
    dirLength: 0,
    shBasis: new Float64Array(16),
  };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

export function projectGaussian(g: GaussianInput, cam: CameraInfo, p: ProjectionParams): ProjectionCache {
  const c = emptyCache();
  const pc = mat3Vec(p.R, g.mean);
  pc[0] += p.t[0];
  pc[1] += p.t[1];
  pc[2] += p.t[2];
  c.pCam = pc;
  const [x, y, z] = pc;
  if (!(z > cam.near) || z > cam.far) return c;

  c.cov3d = covariance3d(g.quat, g.scale);
  c.sigmaCam = mat3MulT(mat3Mul(p.R, c.cov3d.sigma), p.R);

  const xz = x / z;
  const yz = y / z;
  c.ux = clamp(xz, -p.limits.limXNeg, p.limits.limXPos);
  c.uy = clamp(yz, -p.limits.limYNeg, p.limits.limYPos);
  c.xInside = c.ux === xz;
  c.yInside = c.uy === yz;
  const J = [cam.fx / z, 0, (-cam.fx * c.ux) / z, 0, cam.fy / z, (-cam.fy * c.uy) / z];
  c.J = J;

  // Sigma_2d = J Sigma_c J^T (2x2, symmetric).
  const S = c.sigmaCam;
  const JS = [0, 0, 0, 0, 0, 0];
  for (let r = 0; r < 2; r++) {
    for (let k = 0; k < 3; k++) JS[r * 3 + k] = J[r * 3] * S[k] + J[r * 3 + 1] * S[3 + k] + J[r * 3 + 2] * S[6 + k];
  }
  const a = JS[0] * J[0] + JS[1] * J[1] + JS[2] * J[2];
  const b = JS[0] * J[3] + JS[1] * J[4] + JS[2] * J[5];
  const cc = JS[3] * J[3] + JS[4] * J[4] + JS[5] * J[5];
  c.cov2d = [a, b, cc];

  const ad = a + p.eps2d;
  const cd = cc + p.eps2d;
  const det = ad * cd - b * b;
  if (!(det > 0)) return c;
  c.det = det;
  c.inDepthRange = true;
  c.conic = [cd / det, -b / det, ad / det];
  if (p.antialiased) {
    const det0 = a * cc - b * b;
    c.compensation = Math.sqrt(Math.max(0, det0 / det));
  }
  c.opacity = g.opacity * c.compensation;
  c.mean2d = [cam.fx * xz + cam.cx, cam.fy * yz + cam.cy];

  evalColor(c, g, p);

  // Extent and tiles.
  const tilesX = Math.ceil(cam.width / p.tileSize);
  const tilesY = Math.ceil(cam.height / p.tileSize);
  if (p.smoothCutoff) {
    c.visible = true;
    c.tileRect = [0, 0, tilesX - 1, tilesY - 1];
  }
  if (c.opacity < ALPHA_THRESHOLD) {
    return c;
  }
  const d2 = 2 * Math.log(255 * c.opacity);
  const ex = Math.sqrt(d2 * ad);
  const ey = Math.sqrt(d2 * cd);
  const [u, v] = c.mean2d;
  // Pixels px with |px + 0.5 - u| <= ex.
  const px0 = Math.max(0, Math.ceil(u - ex - 0.5));
  const px1 = Math.min(cam.width - 1, Math.floor(u + ex - 0.5));
  const py0 = Math.max(0, Math.ceil(v - ey - 0.5));
  const py1 = Math.min(cam.height - 1, Math.floor(v + ey - 0.5));
  if (px0 > px1 || py0 > py1) return c;
  // Capped so that Int32 radii never wrap (a splat that large covers the image anyway).
  c.radius = Math.min(MAX_RADIUS, Math.max(1, Math.ceil(Math.max(ex, ey))));
  if (!p.smoothCutoff) {
    c.visible = true;
    c.tileRect = [
      Math.floor(px0 / p.tileSize),
      Math.floor(py0 / p.tileSize),
      Math.floor(px1 / p.tileSize),
      Math.floor(py1 / p.tileSize),
    ];
  }
  return c;
}

function evalColor(c: ProjectionCache, g: GaussianInput, p: ProjectionParams): void {
  if (p.shDegree < 0) {
    c.rgb = [g.color[0], g.color[1], g.color[2]];
    return;
  }
  const d = [g.mean[0] - p.camPos[0], g.mean[1] - p.camPos[1], g.mean[2] - p.camPos[2]];
  const len = Math.hypot(d[0], d[1], d[2]);
  c.dirLength = len;
  c.dir = [d[0] / len, d[1] / len, d[2] / len];
  shBasis(p.shDegree, c.dir[0], c.dir[1], c.dir[2], c.shBasis);
  const k = shCoeffCount(p.shDegree);
  for (let ch = 0; ch < 3; ch++) {
    let s = 0.5;
    for (let i = 0; i < k; i++) s += c.shBasis[i] * g.color[3 * i + ch];
    const clamped = !p.smoothCutoff && s < 0;
    c.rgb[ch] = clamped ? 0 : s;
    c.rgbClamped[ch] = clamped;
  }
}
