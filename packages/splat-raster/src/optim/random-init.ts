/**
 * Random Gaussians spread over a camera's view, the starting point of an image fit.
 *
 * API
 * - `mulberry32(seed) -> () => number`     small seeded uniform RNG in [0, 1)
 * - `randomGaussiansInView(camera, count, { seed?, depth?, depthJitter?, sizePixels?, opacity? })`
 *     isotropic Gaussians whose centres project uniformly over the image at about `depth`
 *     (world units along the optical axis), radius about `sizePixels` pixels, random
 *     colours in [0, 1] (RGB), identity-ish random rotations.
 */

import { mat3Inverse, mat3Vec, splitViewMatrix } from '../cpu/mat3.js';
import type { Camera, GaussianScene } from '../types.js';
import { validateCamera } from '../validate.js';

/** mulberry32: a tiny seeded 32-bit generator. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomInitOptions {
  seed?: number;
  /** Camera-space depth of the centres. Default max(1, 10 * near). */
  depth?: number;
  /** Relative depth spread: z in depth * [1 - j, 1 + j]. Default 0.1. */
  depthJitter?: number;
  /** Standard deviation in pixels. Default: half the spacing of a square grid of `count` points. */
  sizePixels?: number;
  /** Default 0.5. */
  opacity?: number;
}

export function randomGaussiansInView(camera: Camera, count: number, opts: RandomInitOptions = {}): GaussianScene & {
  means: Float64Array;
} {
  const fn = 'randomGaussiansInView';
  const cam = validateCamera(fn, camera);
  if (!Number.isInteger(count) || count < 1) throw new Error(`${fn}: count: expected a positive integer, got ${count}`);
  const rng = mulberry32(opts.seed ?? 0);
  const depth = opts.depth ?? Math.max(1, 10 * cam.near);
  if (!(depth > cam.near && depth < cam.far)) throw new Error(`${fn}: options.depth: expected a depth in (near, far) = (${cam.near}, ${cam.far}), got ${depth}`);
  const jitter = opts.depthJitter ?? 0.1;
  const sizePx = opts.sizePixels ?? 0.5 * Math.sqrt((cam.width * cam.height) / count);
  const opacity = opts.opacity ?? 0.5;
  if (!(opacity > 0 && opacity < 1)) throw new Error(`${fn}: options.opacity: expected a value in (0, 1), got ${opacity}`);

  // Camera space -> world: p_w = R^{-1} (p_c - t).
  const { R, t } = splitViewMatrix(cam.viewMatrix);
  const Rinv = mat3Inverse(R);
  const means = new Float64Array(3 * count);
  const quats = new Float64Array(4 * count);
  const scales = new Float64Array(3 * count);
  for (let i = 0; i < count; i++) {
    const z = depth * (1 + jitter * (2 * rng() - 1));
    const u = rng() * cam.width;
    const v = rng() * cam.height;
    const pc = [((u - cam.cx) / cam.fx) * z - t[0], ((v - cam.cy) / cam.fy) * z - t[1], z - t[2]];
    means.set(mat3Vec(Rinv, pc), 3 * i);
    quats.set([1, 0.1 * (2 * rng() - 1), 0.1 * (2 * rng() - 1), 0.1 * (2 * rng() - 1)], 4 * i);
    scales.fill((sizePx * z) / Math.sqrt(cam.fx * cam.fy), 3 * i, 3 * i + 3);
  }
  return {
    means,
    quats,
    scales,
    opacities: new Float64Array(count).fill(opacity),
    colors: Float64Array.from({ length: 3 * count }, () => rng()),
  };
}
