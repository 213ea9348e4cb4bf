/**
 * Public data types of @headsplat/splat-raster. Both the CPU reference (`cpu/`) and
 * the WebGPU implementation (`webgpu/`) take and return these shapes, so that a test
 * can run one scene through both and compare.
 *
 * Conventions (as in 3DGS / gsplat):
 * - Camera space: x right, y down, z forward (OpenCV). A point p_w in world space maps
 *   to p_c = R p_w + t, with [R | t] the world-to-camera matrix `viewMatrix`.
 * - `viewMatrix` is a 4x4 matrix stored column-major (gl-matrix's layout): element
 *   (row r, column c) is at index c * 4 + r.
 * - Projection u = fx * X/Z + cx, v = fy * Y/Z + cy; pixel (x, y) is sampled at its
 *   centre (x + 0.5, y + 0.5), as gsplat does (OpenCV intrinsics convention).
 * - Images are row-major, channel-last: rgb[(y * width + x) * 3 + c].
 * - Quaternions are (w, x, y, z), any norm (normalised inside, with the gradient of the
 *   normalisation).
 * - Inputs are activated values: scales > 0 (not log), opacities in (0, 1) (not logits).
 */

export interface Camera {
  /** World-to-camera 4x4, column-major (16 values). */
  viewMatrix: Float32Array | Float64Array | number[];
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  width: number;
  height: number;
  /** Gaussians with camera-space depth z <= near or z > far are culled. Defaults 0.01 / 1e10. */
  near?: number;
  far?: number;
}

/** Per-Gaussian inputs, flat typed arrays. N = number of Gaussians. */
export interface GaussianScene {
  /** (N, 3) */
  means: Float32Array | Float64Array;
  /** (N, 4) as (w, x, y, z), any non-zero norm. */
  quats: Float32Array | Float64Array;
  /** (N, 3), positive. */
  scales: Float32Array | Float64Array;
  /** (N) in [0, 1]. */
  opacities: Float32Array | Float64Array;
  /**
   * Colour: either precomputed RGB (N, 3) with `shDegree` undefined, or spherical-harmonic
   * coefficients (N, (shDegree + 1)^2, 3) evaluated in the direction from the camera
   * centre to the Gaussian mean, plus 0.5, clamped below at 0 (as in 3DGS).
   */
  colors: Float32Array | Float64Array;
  shDegree?: 0 | 1 | 2 | 3;
  /** Optional extra channels (N, F), blended like colour (no activation). */
  features?: Float32Array | Float64Array;
  /** F; required when `features` is given. */
  featureDim?: number;
}

export interface RenderOptions {
  /** Background RGB composited under the splats. Default [0, 0, 0]. */
  background?: [number, number, number];
  /** Background value of the feature channels. Default 0. */
  featureBackground?: number | ArrayLike<number>;
  /** Mip-splatting-style antialiasing: opacity compensation for the 0.3 px dilation. */
  antialiased?: boolean;
  /** Tile edge in pixels. Default 16. */
  tileSize?: number;
  /** Low-pass dilation added to the 2D covariance diagonal. Default 0.3. */
  eps2d?: number;
  /**
   * TEST ONLY. Removes every hard discontinuity so that central finite differences match
   * the analytic gradients exactly: no 1/255 alpha skip, no 0.99 alpha clamp, no early
   * stop at transmittance 1e-4, no clamp of SH colours at 0, no opacity / extent /
   * off-screen culling (every splat inside the near/far range is composited over the
   * whole image). Near/far culling and the 1.3x-frustum clamp of the projection
   * Jacobian stay (the latter is differentiable almost everywhere). Default false.
   */
  smoothCutoff?: boolean;
}

/** What a forward pass returns. Images are channel-last, row-major. */
export interface RenderOutput {
  /** (H, W, 3) */
  rgb: Float32Array;
  /** (H, W, F) when features were given. */
  features?: Float32Array;
  /** (H, W) accumulated opacity 1 - T_final. */
  alpha: Float32Array;
  /** (H, W) expected depth sum_i w_i z_i (not normalised by alpha). */
  depth: Float32Array;
  /** (N) integer pixel radius of each splat; 0 = culled / invisible. */
  radii: Int32Array;
  /** (N, 2) projected 2D means in pixels. */
  means2d: Float32Array;
}

/** Upstream gradients for backward. Omitted ones count as zero. */
export interface RenderGradOutputs {
  rgb?: Float32Array | Float64Array;
  features?: Float32Array | Float64Array;
  alpha?: Float32Array | Float64Array;
  depth?: Float32Array | Float64Array;
}

/** Gradients w.r.t. every input, same shapes as the inputs. */
export interface RenderGradients {
  means: Float32Array | Float64Array;
  quats: Float32Array | Float64Array;
  scales: Float32Array | Float64Array;
  opacities: Float32Array | Float64Array;
  colors: Float32Array | Float64Array;
  features?: Float32Array | Float64Array;
  /** (16) gradient w.r.t. the column-major world-to-camera matrix. */
  viewMatrix: Float32Array | Float64Array;
  /** (N, 2) gradient w.r.t. projected 2D means (for densification statistics). */
  means2d: Float32Array | Float64Array;
  /**
   * (N, 2) sum over pixels of the absolute per-pixel contributions to `means2d`
   * (gsplat's `absgrad`, AbsGS), when the implementation provides it.
   */
  means2dAbs?: Float32Array | Float64Array;
}
