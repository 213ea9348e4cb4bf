/**
 * A robust centre and radius of a Gaussian cloud for framing the camera: the per-axis
 * median and a high quantile of the distances to it, so that a few stray Gaussians (common
 * in trained 3DGS captures) do not zoom the view out to nothing.
 */
import type { GaussianScene } from '@headsplat/splat-raster';

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i];
}

/** Centre and radius of `scene`; `q` is the quantile of distances used as the radius. */
export function sceneBounds(scene: GaussianScene, q = 0.95): { center: [number, number, number]; radius: number } {
  const n = scene.means.length / 3;
  if (n === 0) return { center: [0, 0, 0], radius: 1 };
  // Subsample large scenes: the median of 100k points is plenty.
  const stride = Math.max(1, Math.floor(n / 100_000));
  const m = Math.ceil(n / stride);
  const center: [number, number, number] = [0, 0, 0];
  const axis = new Float64Array(m);
  for (let a = 0; a < 3; a++) {
    for (let i = 0, j = 0; i < n; i += stride, j++) axis[j] = scene.means[3 * i + a];
    axis.sort();
    center[a] = m % 2 === 1 ? axis[(m - 1) / 2] : (axis[m / 2 - 1] + axis[m / 2]) / 2;
  }
  const dist = new Float64Array(m);
  const extent = new Float64Array(m);
  for (let i = 0, j = 0; i < n; i += stride, j++) {
    dist[j] = Math.hypot(scene.means[3 * i] - center[0], scene.means[3 * i + 1] - center[1], scene.means[3 * i + 2] - center[2]);
    extent[j] = Math.max(scene.scales[3 * i], scene.scales[3 * i + 1], scene.scales[3 * i + 2]);
  }
  dist.sort();
  extent.sort();
  // Two standard deviations of a typical Gaussian past the far points.
  const radius = quantile(dist, q) + 2 * quantile(extent, 0.5);
  return { center, radius: radius > 0 ? radius : 1 };
}
