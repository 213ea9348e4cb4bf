/**
 * Test helpers for the CPU reference: a seeded RNG, random scenes and cameras, the
 * float64 loss <upstream, images> and central finite differences of it.
 */

import { renderCpu } from '../src/cpu/index.js';
import type { CpuImages } from '../src/cpu/index.js';
import type { Camera, GaussianScene, RenderGradOutputs, RenderOptions } from '../src/types.js';

/** mulberry32: small, fast, seeded. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uniform(rng: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

export function normal(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

export function randomArray(rng: () => number, n: number, lo: number, hi: number): Float64Array {
  return Float64Array.from({ length: n }, () => uniform(rng, lo, hi));
}

/** Column-major world-to-camera matrix from a row-major rotation R and translation t. */
export function viewMatrixFrom(R: number[], t: number[]): Float64Array {
  const m = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) m[c * 4 + r] = R[r * 3 + c];
    m[12 + r] = t[r];
  }
  m[15] = 1;
  return m;
}

export const IDENTITY_VIEW = viewMatrixFrom([1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0]);

/** A small rotation about a random axis (angle up to `maxAngle` rad) and a translation. */
export function randomView(rng: () => number, maxAngle = 0.2): Float64Array {
  const axis = [normal(rng), normal(rng), normal(rng)];
  const len = Math.hypot(axis[0], axis[1], axis[2]);
  const [x, y, z] = axis.map((a) => a / len);
  const th = uniform(rng, -maxAngle, maxAngle);
  const c = Math.cos(th);
  const s = Math.sin(th);
  const C = 1 - c;
  const R = [
    c + x * x * C, x * y * C - z * s, x * z * C + y * s,
    y * x * C + z * s, c + y * y * C, y * z * C - x * s,
    z * x * C - y * s, z * y * C + x * s, c + z * z * C,
  ];
  return viewMatrixFrom(R, [uniform(rng, -0.2, 0.2), uniform(rng, -0.2, 0.2), uniform(rng, -0.2, 0.2)]);
}

export function smallCamera(viewMatrix: Float64Array = IDENTITY_VIEW): Camera {
  return { viewMatrix, fx: 14, fy: 13, cx: 8.3, cy: 5.8, width: 16, height: 12 };
}

export interface RandomSceneOptions {
  n: number;
  shDegree?: 0 | 1 | 2 | 3;
  featureDim?: number;
}

/**
 * Gaussians in front of `smallCamera` (world z in [2, 5], spread over the image), scales
 * 0.05..0.35, opacities 0.2..0.9, random quaternions of random norm.
 */
export function randomScene(rng: () => number, o: RandomSceneOptions): GaussianScene {
  const { n } = o;
  const means = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const z = uniform(rng, 2, 5);
    means[3 * i] = uniform(rng, -0.55, 0.55) * z;
    means[3 * i + 1] = uniform(rng, -0.45, 0.45) * z;
    means[3 * i + 2] = z;
  }
  const quats = Float64Array.from({ length: 4 * n }, () => normal(rng) * 1.7);
  const scene: GaussianScene = {
    means,
    quats,
    scales: randomArray(rng, 3 * n, 0.05, 0.35),
    opacities: randomArray(rng, n, 0.2, 0.9),
    colors:
      o.shDegree === undefined
        ? randomArray(rng, 3 * n, 0, 1)
        : randomArray(rng, 3 * (o.shDegree + 1) ** 2 * n, -0.6, 0.6),
  };
  if (o.shDegree !== undefined) scene.shDegree = o.shDegree;
  if (o.featureDim) {
    scene.featureDim = o.featureDim;
    scene.features = randomArray(rng, o.featureDim * n, -1, 1);
  }
  return scene;
}

export function randomUpstream(rng: () => number, w: number, h: number, featureDim: number): Required<RenderGradOutputs> {
  const p = w * h;
  return {
    rgb: randomArray(rng, 3 * p, -1, 1),
    features: randomArray(rng, featureDim * p, -1, 1),
    alpha: randomArray(rng, p, -1, 1),
    depth: randomArray(rng, p, -1, 1),
  };
}

function dot(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): number {
  if (!a || !b) return 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** L = <v.rgb, rgb> + <v.features, features> + <v.alpha, alpha> + <v.depth, depth>, in float64. */
export function linearLoss(images: CpuImages, v: RenderGradOutputs): number {
  return dot(v.rgb, images.rgb) + dot(v.features, images.features) + dot(v.alpha, images.alpha) + dot(v.depth, images.depth);
}

export type SceneKey = 'means' | 'quats' | 'scales' | 'opacities' | 'colors' | 'features';

/**
 * Central finite differences of the linear loss w.r.t. every entry of `scene[key]` (or of
 * the camera's view matrix for key 'viewMatrix'), step h.
 */
export function finiteDifferences(
  scene: GaussianScene,
  camera: Camera,
  options: RenderOptions,
  v: RenderGradOutputs,
  key: SceneKey | 'viewMatrix',
  h = 1e-6,
): Float64Array {
  const loss = (s: GaussianScene, c: Camera): number => linearLoss(renderCpu(s, c, options).state.images, v);
  const base = key === 'viewMatrix' ? Float64Array.from(camera.viewMatrix) : Float64Array.from(scene[key]!);
  const out = new Float64Array(base.length);
  for (let j = 0; j < base.length; j++) {
    const at = (x: number): number => {
      const arr = Float64Array.from(base);
      arr[j] = x;
      return key === 'viewMatrix' ? loss(scene, { ...camera, viewMatrix: arr }) : loss({ ...scene, [key]: arr }, camera);
    };
    out[j] = (at(base[j] + h) - at(base[j] - h)) / (2 * h);
  }
  return out;
}

/** max_j |a_j - b_j| / max_j |b_j| (0 when both are all zero). */
export function relativeMaxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let j = 0; j < b.length; j++) {
    err = Math.max(err, Math.abs(a[j] - b[j]));
    scale = Math.max(scale, Math.abs(b[j]));
  }
  return scale === 0 ? err : err / scale;
}

export function allFinite(...arrays: (ArrayLike<number> | undefined)[]): boolean {
  return arrays.every((a) => a === undefined || Array.from(a).every(Number.isFinite));
}
