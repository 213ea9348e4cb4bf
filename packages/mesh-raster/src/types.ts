/**
 * Public data types of @headsplat/mesh-raster, shared by the CPU reference (`cpu/`) and
 * the WebGPU implementation (`webgpu/`) so that a test can run one mesh through both.
 *
 * Conventions (as @headsplat/splat-raster):
 * - Camera space: x right, y down, z forward (OpenCV). p_c = R p_w + t with [R | t] the
 *   world-to-camera matrix `viewMatrix`, a 4x4 stored column-major (index c * 4 + r).
 * - Projection u = fx * X/Z + cx, v = fy * Y/Z + cy; pixel (x, y) is sampled at its
 *   centre (x + 0.5, y + 0.5).
 * - Images are row-major, channel-last: image[(y * width + x) * C + c].
 * - Barycentrics are nvdiffrast's (u, v): a pixel's attribute is
 *   u * a[f0] + v * a[f1] + (1 - u - v) * a[f2], perspective-correct.
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
  /**
   * A triangle is rasterised only if all three vertices have camera depth in (near, far];
   * there is no near-plane clipping. Defaults 0.01 / 1e10.
   */
  near?: number;
  far?: number;
}

export type FloatArray = Float32Array | Float64Array;
export type IndexArray = Uint32Array | Int32Array;

/** A triangle mesh: V vertices, F faces. */
export interface Mesh {
  /** (V, 3) world-space positions. */
  positions: FloatArray;
  /** (F, 3) vertex indices, any winding (no back-face culling). */
  faces: IndexArray;
}

/** What `rasterize` returns (per pixel, row-major). */
export interface RasterOutput {
  width: number;
  height: number;
  /** (H, W) index of the visible face, -1 = background. */
  triId: Int32Array;
  /** (H, W, 2) perspective-correct barycentrics (u, v) of the visible face; 0 on background. */
  bary: FloatArray;
  /** (H, W) camera-space depth z of the visible surface; 0 on background. */
  depth: FloatArray;
}

/** Upstream gradients of `rasterize`'s differentiable outputs. Omitted ones count as zero. */
export interface RasterGradOutputs {
  /** (H, W, 2) */
  bary?: ArrayLike<number>;
  /** (H, W) */
  depth?: ArrayLike<number>;
}

/** Texture addressing outside [0, 1]: 'wrap' repeats, 'clamp' clamps to the edge texels. */
export type TextureWrap = 'wrap' | 'clamp';

/** A (height, width, channels) texture, row-major, channel-last. */
export interface Texture {
  data: FloatArray;
  width: number;
  height: number;
  channels: number;
}
