/**
 * Checks and host conversion of the tensor inputs of `rasterize` (the /tensor binding).
 * Shapes: means (N, 3), quats (N, 4), scales (N, 3), opacities (N) or (N, 1),
 * colors (N, 3) RGB or (N, K, 3) SH with K = (degree + 1)^2, features (N, F).
 * All float inputs share one dtype: float32, or float64 (CPU only; what gradcheck uses).
 */

import { Tensor } from '@headsplat/core';
import { shCoeffCount } from '../sh.js';
import { SplatRasterInputError } from '../validate.js';

export interface GaussianTensors {
  /** (N, 3) */
  means: Tensor;
  /** (N, 4) as (w, x, y, z), any non-zero norm. */
  quats: Tensor;
  /** (N, 3), activated (> 0). */
  scales: Tensor;
  /** (N) or (N, 1), activated (in [0, 1]). */
  opacities: Tensor;
  /** (N, 3) RGB, or (N, K, 3) SH coefficients with K = 1, 4, 9 or 16. */
  colors: Tensor;
  /** (N, F) extra channels, blended like colour. */
  features?: Tensor;
}

export type GaussianTensorKey = keyof GaussianTensors;

export interface CheckedInputs {
  n: number;
  dtype: 'float32' | 'float64';
  shDegree: 0 | 1 | 2 | 3 | undefined;
  featureDim: number;
}

const fn = 'rasterize';

function shapeStr(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

function expectShape(arg: string, t: Tensor, expected: readonly number[], hint = ''): void {
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new SplatRasterInputError(fn, arg, `shape ${shapeStr(expected)}${hint}`, shapeStr(t.shape));
  }
}

export function checkGaussianTensors(g: GaussianTensors): CheckedInputs {
  if (g === null || typeof g !== 'object') throw new SplatRasterInputError(fn, 'gaussians', 'an object of tensors', String(g));
  const keys: GaussianTensorKey[] = ['means', 'quats', 'scales', 'opacities', 'colors'];
  if (g.features !== undefined) keys.push('features');
  for (const k of keys) {
    const t = g[k];
    if (!(t instanceof Tensor)) {
      throw new SplatRasterInputError(fn, `gaussians.${k}`, 'a Tensor', t === null ? 'null' : typeof t);
    }
  }
  const { means } = g;
  if (means.shape.length !== 2 || means.shape[1] !== 3) throw new SplatRasterInputError(fn, 'gaussians.means', 'shape [N, 3]', shapeStr(means.shape));
  const n = means.shape[0];
  const from = ` (N = ${n} from means)`;
  const dtype = means.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') throw new SplatRasterInputError(fn, 'gaussians.means', "dtype 'float32' or 'float64'", `'${dtype}'`);
  for (const k of keys) {
    if (g[k]!.dtype !== dtype) throw new SplatRasterInputError(fn, `gaussians.${k}`, `dtype '${dtype}' (as means)`, g[k]!.dtype);
    if (g[k]!.device !== means.device) throw new SplatRasterInputError(fn, `gaussians.${k}`, `device '${means.device}' (as means)`, g[k]!.device);
  }
  expectShape('gaussians.quats', g.quats, [n, 4], from);
  expectShape('gaussians.scales', g.scales, [n, 3], from);
  const o = g.opacities.shape;
  if (!(o.length === 1 && o[0] === n) && !(o.length === 2 && o[0] === n && o[1] === 1)) {
    throw new SplatRasterInputError(fn, 'gaussians.opacities', `shape [${n}] or [${n}, 1]${from}`, shapeStr(o));
  }
  const c = g.colors.shape;
  let shDegree: CheckedInputs['shDegree'];
  if (c.length === 2) {
    expectShape('gaussians.colors', g.colors, [n, 3], ` (RGB) or [N, K, 3] (SH)${from}`);
  } else {
    const deg = [0, 1, 2, 3].find((d) => c.length === 3 && c[1] === shCoeffCount(d));
    if (deg === undefined || c[0] !== n || c[2] !== 3) {
      throw new SplatRasterInputError(fn, 'gaussians.colors', `shape [${n}, 3] (RGB) or [${n}, K, 3] with K in {1, 4, 9, 16} (SH)`, shapeStr(c));
    }
    shDegree = deg as 0 | 1 | 2 | 3;
  }
  let featureDim = 0;
  if (g.features) {
    const f = g.features.shape;
    if (f.length !== 2 || f[0] !== n || f[1] < 1) throw new SplatRasterInputError(fn, 'gaussians.features', `shape [${n}, F] with F >= 1${from}`, shapeStr(f));
    featureDim = f[1];
  }
  return { n, dtype, shDegree, featureDim };
}

/**
 * Host copy of a CPU tensor as float64 (the CPU reference computes in float64). Always a
 * copy: the render state keeps it until the backward.
 */
export function hostFloat64(t: Tensor): Float64Array {
  return Float64Array.from(t.dataSync() as ArrayLike<number>);
}
