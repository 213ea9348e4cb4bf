/**
 * Test helpers: seeded RNG, cameras, small scenes and central finite differences.
 */

import type { Camera } from '../src/types.js';

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

export function randomArray(rng: () => number, n: number, lo: number, hi: number): Float64Array {
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * rng());
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

/** Rotation about y by `a` then about x by `b`, camera at distance `dist` looking at the origin. */
export function orbitView(a: number, b: number, dist: number): Float64Array {
  const ca = Math.cos(a), sa = Math.sin(a), cb = Math.cos(b), sb = Math.sin(b);
  const Ry = [ca, 0, sa, 0, 1, 0, -sa, 0, ca];
  const Rx = [1, 0, 0, 0, cb, -sb, 0, sb, cb];
  const R = new Array(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) R[i * 3 + j] += Rx[i * 3 + k] * Ry[k * 3 + j];
  return viewMatrixFrom(R, [0, 0, dist]);
}

export function camera(width: number, height: number, view: Float64Array = orbitView(0, 0, 3), f = width): Camera {
  return { viewMatrix: view, fx: f, fy: f, cx: width / 2, cy: height / 2, width, height };
}

/** Central differences of a scalar loss w.r.t. every entry of x (restored after). */
export function finiteDiff(x: Float64Array, loss: () => number, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i];
    x[i] = x0 + h;
    const lp = loss();
    x[i] = x0 - h;
    const lm = loss();
    x[i] = x0;
    g[i] = (lp - lm) / (2 * h);
  }
  return g;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** max |a - b| / max(max |b|, floor). */
export function relativeMaxError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-8): number {
  let num = 0;
  let den = floor;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}
