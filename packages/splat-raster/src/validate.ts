/**
 * Input validation shared by the CPU reference and the WebGPU rasterizer.
 *
 * Every check throws a `SplatRasterInputError` whose message names the function, the
 * argument, what was expected and what was received, e.g.
 *   `renderCpu: scene.quats: expected length 4 * N = 8 (N = 2 from scene.means), got 7`.
 * Nothing is clamped or dropped silently.
 *
 * API
 * - `validateScene(fn, scene) -> SceneInfo`         sizes and colour layout of a scene
 * - `validateCamera(fn, camera) -> CameraInfo`      camera with near/far defaults filled in
 * - `validateRenderOptions(fn, options, featureDim) -> ResolvedRenderOptions`
 * - `validateGradOutputs(fn, grads, width, height, featureDim)`
 * - `validateRenderInputs(fn, scene, camera, options)` all three of the first checks at once
 */

import { shCoeffCount } from './sh.js';
import type { Camera, GaussianScene, RenderGradOutputs, RenderOptions } from './types.js';

/** Error thrown for invalid rasterizer input; the fields repeat what the message says. */
export class SplatRasterInputError extends Error {
  constructor(
    readonly fn: string,
    readonly argument: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${fn}: ${argument}: expected ${expected}, got ${actual}`);
    this.name = 'SplatRasterInputError';
  }
}

/** Sizes derived from a validated scene. */
export interface SceneInfo {
  /** Number of Gaussians. */
  n: number;
  /** SH degree, or -1 for precomputed RGB colours. */
  shDegree: number;
  /** Colour values per Gaussian: 3 (RGB) or 3 * (shDegree + 1)^2. */
  colorStride: number;
  /** Feature channels per Gaussian (0 when none). */
  featureDim: number;
}

/** Camera with defaults resolved. */
export interface CameraInfo {
  viewMatrix: Float64Array;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  width: number;
  height: number;
  near: number;
  far: number;
}

/** Options with defaults resolved. */
export interface ResolvedRenderOptions {
  background: [number, number, number];
  /** (F) */
  featureBackground: Float64Array;
  antialiased: boolean;
  tileSize: number;
  eps2d: number;
}

export const DEFAULT_NEAR = 0.01;
export const DEFAULT_FAR = 1e10;
export const DEFAULT_TILE_SIZE = 16;
export const DEFAULT_EPS2D = 0.3;

type NumArray = ArrayLike<number>;

function describe(x: unknown): string {
  if (x === undefined) return 'undefined';
  if (x === null) return 'null';
  if (typeof x === 'number') return String(x);
  if (ArrayBuffer.isView(x) || Array.isArray(x)) return `${x.constructor.name} of length ${(x as NumArray).length}`;
  return typeof x;
}

function isNumArray(x: unknown): x is NumArray {
  return (ArrayBuffer.isView(x) && !(x instanceof DataView)) || Array.isArray(x);
}

/** Checks that `arr` is a numeric array of `length` finite values. */
export function checkFiniteArray(fn: string, arg: string, arr: unknown, length: number, lengthHint = ''): void {
  if (!isNumArray(arr)) throw new SplatRasterInputError(fn, arg, 'a Float32Array / Float64Array', describe(arr));
  if (arr.length !== length) {
    throw new SplatRasterInputError(fn, arg, `length ${lengthHint}${length}`, `${arr.length}`);
  }
  for (let i = 0; i < arr.length; i++) {
    if (!Number.isFinite(arr[i])) {
      throw new SplatRasterInputError(fn, arg, 'finite values', `${arr[i]} at index ${i}`);
    }
  }
}

function checkFiniteNumber(fn: string, arg: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new SplatRasterInputError(fn, arg, 'a finite number', describe(x));
  }
  return x;
}

function checkPositiveInteger(fn: string, arg: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x <= 0) {
    throw new SplatRasterInputError(fn, arg, 'a positive integer', describe(x));
  }
  return x;
}

/** Validates array lengths, finiteness and value ranges of a scene. */
export function validateScene(fn: string, scene: GaussianScene): SceneInfo {
  if (scene === null || typeof scene !== 'object') {
    throw new SplatRasterInputError(fn, 'scene', 'an object', describe(scene));
  }
  const means = scene.means;
  if (!isNumArray(means)) throw new SplatRasterInputError(fn, 'scene.means', 'a Float32Array / Float64Array', describe(means));
  if (means.length % 3 !== 0) {
    throw new SplatRasterInputError(fn, 'scene.means', 'a length divisible by 3', `${means.length}`);
  }
  const n = means.length / 3;
  const hint = (k: number): string => (k === 1 ? `N = ` : `${k} * N = `);
  const from = ` (N = ${n} from scene.means)`;
  checkFiniteArray(fn, 'scene.means', means, 3 * n);
  checkFiniteArray(fn, 'scene.quats', scene.quats, 4 * n, hint(4));
  checkFiniteArray(fn, 'scene.scales', scene.scales, 3 * n, hint(3));
  checkFiniteArray(fn, 'scene.opacities', scene.opacities, n, hint(1));

  for (let i = 0; i < n; i++) {
    const q = scene.quats;
    const norm2 = q[4 * i] ** 2 + q[4 * i + 1] ** 2 + q[4 * i + 2] ** 2 + q[4 * i + 3] ** 2;
    if (!(norm2 > 0)) {
      throw new SplatRasterInputError(fn, 'scene.quats', 'non-zero quaternions', `a zero quaternion at Gaussian ${i}`);
    }
    for (let a = 0; a < 3; a++) {
      const s = scene.scales[3 * i + a];
      if (s < 0) {
        throw new SplatRasterInputError(fn, 'scene.scales', 'activated scales >= 0 (not log-scales)', `${s} at index ${3 * i + a}`);
      }
    }
    const o = scene.opacities[i];
    if (o < 0 || o > 1) {
      throw new SplatRasterInputError(fn, 'scene.opacities', 'activated opacities in [0, 1] (not logits)', `${o} at index ${i}`);
    }
  }

  let shDegree = -1;
  if (scene.shDegree !== undefined) {
    if (scene.shDegree !== 0 && scene.shDegree !== 1 && scene.shDegree !== 2 && scene.shDegree !== 3) {
      throw new SplatRasterInputError(fn, 'scene.shDegree', '0, 1, 2, 3 or undefined (RGB)', describe(scene.shDegree));
    }
    shDegree = scene.shDegree;
  }
  const colorStride = shDegree < 0 ? 3 : 3 * shCoeffCount(shDegree);
  const colorHint = shDegree < 0 ? '3 * N (RGB) = ' : `3 * (shDegree + 1)^2 * N = ${colorStride} * ${n} = `;
  if (isNumArray(scene.colors) && scene.colors.length !== colorStride * n) {
    throw new SplatRasterInputError(fn, 'scene.colors', `length ${colorHint}${colorStride * n}${from}`, `${scene.colors.length}`);
  }
  checkFiniteArray(fn, 'scene.colors', scene.colors, colorStride * n, colorHint);

  let featureDim = 0;
  if (scene.features !== undefined || scene.featureDim !== undefined) {
    if (scene.features === undefined) {
      throw new SplatRasterInputError(fn, 'scene.features', `an (N, ${scene.featureDim}) array since featureDim is set`, 'undefined');
    }
    featureDim = checkPositiveInteger(fn, 'scene.featureDim', scene.featureDim);
    checkFiniteArray(fn, 'scene.features', scene.features, featureDim * n, `featureDim * N = ${featureDim} * ${n} = `);
  }
  return { n, shDegree, colorStride, featureDim };
}

/**
 * Validates a camera and fills in near/far defaults. Only the top three rows of
 * `viewMatrix` are used (the bottom row of a rigid transform is 0 0 0 1 and is ignored).
 */
export function validateCamera(fn: string, camera: Camera): CameraInfo {
  if (camera === null || typeof camera !== 'object') {
    throw new SplatRasterInputError(fn, 'camera', 'an object', describe(camera));
  }
  checkFiniteArray(fn, 'camera.viewMatrix', camera.viewMatrix, 16);
  const fx = checkFiniteNumber(fn, 'camera.fx', camera.fx);
  const fy = checkFiniteNumber(fn, 'camera.fy', camera.fy);
  if (fx <= 0) throw new SplatRasterInputError(fn, 'camera.fx', 'a positive focal length in pixels', `${fx}`);
  if (fy <= 0) throw new SplatRasterInputError(fn, 'camera.fy', 'a positive focal length in pixels', `${fy}`);
  const cx = checkFiniteNumber(fn, 'camera.cx', camera.cx);
  const cy = checkFiniteNumber(fn, 'camera.cy', camera.cy);
  const width = checkPositiveInteger(fn, 'camera.width', camera.width);
  const height = checkPositiveInteger(fn, 'camera.height', camera.height);
  const near = checkFiniteNumber(fn, 'camera.near', camera.near ?? DEFAULT_NEAR);
  const far = checkFiniteNumber(fn, 'camera.far', camera.far ?? DEFAULT_FAR);
  if (near < 0) throw new SplatRasterInputError(fn, 'camera.near', 'near >= 0', `${near}`);
  if (!(far > near)) throw new SplatRasterInputError(fn, 'camera.far', `far > near (${near})`, `${far}`);
  const v = Float64Array.from(camera.viewMatrix);
  // The camera centre is -R^{-1} t (used for SH directions), so R must be invertible.
  const det =
    v[0] * (v[5] * v[10] - v[9] * v[6]) - v[4] * (v[1] * v[10] - v[9] * v[2]) + v[8] * (v[1] * v[6] - v[5] * v[2]);
  if (!(Math.abs(det) > 1e-12)) {
    throw new SplatRasterInputError(fn, 'camera.viewMatrix', 'an invertible rotation block (|det| > 1e-12)', `det ${det}`);
  }
  return { viewMatrix: v, fx, fy, cx, cy, width, height, near, far };
}

/** Validates render options against the scene's feature count and fills in defaults. */
export function validateRenderOptions(fn: string, options: RenderOptions | undefined, featureDim: number): ResolvedRenderOptions {
  const o = options ?? {};
  const background: [number, number, number] = [0, 0, 0];
  if (o.background !== undefined) {
    checkFiniteArray(fn, 'options.background', o.background, 3);
    background[0] = o.background[0];
    background[1] = o.background[1];
    background[2] = o.background[2];
  }
  const featureBackground = new Float64Array(featureDim);
  if (o.featureBackground !== undefined) {
    if (typeof o.featureBackground === 'number') {
      featureBackground.fill(checkFiniteNumber(fn, 'options.featureBackground', o.featureBackground));
    } else {
      checkFiniteArray(fn, 'options.featureBackground', o.featureBackground, featureDim, 'featureDim = ');
      featureBackground.set(o.featureBackground);
    }
  }
  const tileSize = checkPositiveInteger(fn, 'options.tileSize', o.tileSize ?? DEFAULT_TILE_SIZE);
  const eps2d = checkFiniteNumber(fn, 'options.eps2d', o.eps2d ?? DEFAULT_EPS2D);
  if (eps2d < 0) throw new SplatRasterInputError(fn, 'options.eps2d', 'eps2d >= 0', `${eps2d}`);
  if (o.antialiased && eps2d <= 0) {
    throw new SplatRasterInputError(fn, 'options.eps2d', 'eps2d > 0 in antialiased mode', `${eps2d}`);
  }
  return { background, featureBackground, antialiased: o.antialiased === true, tileSize, eps2d };
}

/** Validates all forward inputs at once. */
export function validateRenderInputs(
  fn: string,
  scene: GaussianScene,
  camera: Camera,
  options: RenderOptions | undefined,
): { scene: SceneInfo; camera: CameraInfo; options: ResolvedRenderOptions } {
  const sceneInfo = validateScene(fn, scene);
  const cameraInfo = validateCamera(fn, camera);
  const resolved = validateRenderOptions(fn, options, sceneInfo.featureDim);
  return { scene: sceneInfo, camera: cameraInfo, options: resolved };
}

/** Validates upstream image gradients (omitted ones are allowed and count as zero). */
export function validateGradOutputs(
  fn: string,
  grads: RenderGradOutputs,
  width: number,
  height: number,
  featureDim: number,
): void {
  if (grads === null || typeof grads !== 'object') {
    throw new SplatRasterInputError(fn, 'gradOutputs', 'an object', describe(grads));
  }
  const p = width * height;
  if (grads.rgb !== undefined) checkFiniteArray(fn, 'gradOutputs.rgb', grads.rgb, 3 * p, `H * W * 3 = `);
  if (grads.features !== undefined) {
    if (featureDim === 0) {
      throw new SplatRasterInputError(fn, 'gradOutputs.features', 'undefined (the scene has no features)', describe(grads.features));
    }
    checkFiniteArray(fn, 'gradOutputs.features', grads.features, featureDim * p, `H * W * F = `);
  }
  if (grads.alpha !== undefined) checkFiniteArray(fn, 'gradOutputs.alpha', grads.alpha, p, `H * W = `);
  if (grads.depth !== undefined) checkFiniteArray(fn, 'gradOutputs.depth', grads.depth, p, `H * W = `);
}
