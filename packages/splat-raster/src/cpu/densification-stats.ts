/**
 * Densification statistic of 3DGS (Kerbl et al. 2023, sec. 5.2; `add_densification_stats`):
 * the running mean over views of the norm of the screen-space mean gradient, counted only
 * in views where the Gaussian was rasterized (radius > 0).
 *
 * 3DGS differentiates w.r.t. NDC means; our `means2d` gradient is per pixel, and
 * d pixel / d ndc = (W/2, H/2), so each view's gradient is scaled by (W/2, H/2) before the
 * norm (as gsplat's default strategy does) so that 3DGS's threshold 0.0002 carries over.
 * With `useAbsGrad` the per-pixel absolute sums (`means2dAbs`, AbsGS) are used instead.
 *
 * API
 * - `createDensificationStats(n) -> DensificationStats`
 * - `accumulateMeans2dGradNorms(stats, grads, radii, { width, height, useAbsGrad? })`
 * - `meanMeans2dGradNorms(stats) -> Float64Array`  sum / count (0 where count is 0)
 */

import type { RenderGradients } from '../types.js';

export interface DensificationStats {
  /** (N) sum of gradient norms. */
  sum: Float64Array;
  /** (N) number of views the Gaussian was visible in. */
  count: Uint32Array;
}

export function createDensificationStats(n: number): DensificationStats {
  return { sum: new Float64Array(n), count: new Uint32Array(n) };
}

export function accumulateMeans2dGradNorms(
  stats: DensificationStats,
  grads: Pick<RenderGradients, 'means2d' | 'means2dAbs'>,
  radii: Int32Array,
  view: { width: number; height: number; useAbsGrad?: boolean },
): void {
  const g = view.useAbsGrad ? grads.means2dAbs : grads.means2d;
  const n = stats.sum.length;
  if (!g) throw new Error('accumulateMeans2dGradNorms: grads.means2dAbs: expected an (N, 2) array with useAbsGrad, got undefined');
  if (g.length !== 2 * n || radii.length !== n) {
    throw new Error(
      `accumulateMeans2dGradNorms: grads/radii: expected lengths 2N = ${2 * n} / N = ${n}, got ${g.length} / ${radii.length}`,
    );
  }
  const sx = view.width / 2;
  const sy = view.height / 2;
  for (let i = 0; i < n; i++) {
    if (radii[i] <= 0) continue;
    stats.sum[i] += Math.hypot(g[2 * i] * sx, g[2 * i + 1] * sy);
    stats.count[i] += 1;
  }
}

export function meanMeans2dGradNorms(stats: DensificationStats): Float64Array {
  return stats.sum.map((s, i) => (stats.count[i] > 0 ? s / stats.count[i] : 0));
}
