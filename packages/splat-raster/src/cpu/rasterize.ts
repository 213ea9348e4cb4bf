/**
 * Per-pixel front-to-back alpha compositing, CPU reference (3DGS `renderCUDA`).
 *
 * For pixel centre (px + 0.5, py + 0.5) and the splats of its tile in depth order:
 *   d = centre - mean2d,  q = A dx^2 + 2 B dx dy + C dy^2,  g = exp(-q / 2)
 *   alpha = min(0.99, o' g);  skip if alpha < 1/255
 *   if T (1 - alpha) < 1e-4: stop, without this splat (the official test_T rule)
 *   out += c * alpha * T;  T *= 1 - alpha
 *   out += T_final * background
 * In smoothCutoff mode alpha = o' g with no clamp, skip or stop.
 *
 * Every splat carries a vector of C channels (rgb, features, 1, z — see render.ts), so
 * colour, features, alpha (1 - T = sum alpha_i T_i) and expected depth are one blend.
 *
 * API
 * - `compositePixel(px, py, list, splats, smooth, visit) -> T_final`  shared by forward / backward
 * - `rasterizeForward(splats, bins, width, height, channels, smooth) -> Float64Array (H, W, C)`
 */

import { ALPHA_THRESHOLD } from './project.js';
import type { TileBins } from './tiles.js';

export const MAX_ALPHA = 0.99;
export const TRANSMITTANCE_EPS = 1e-4;

/** The 2D splats the rasterizer reads. */
export interface RasterSplats {
  /** (N, 2) */
  means2d: Float64Array;
  /** (N, 3) (A, B, C) */
  conics: Float64Array;
  /** (N) effective opacity o'. */
  opacities: Float64Array;
}

/** Splat colours as C channels each, and the background. */
export interface SplatChannels {
  count: number;
  /** (N, C) */
  values: Float64Array;
  /** (C) */
  background: Float64Array;
}

/** Called for each splat that contributes to a pixel, front to back. */
export type ContributionVisitor = (splat: number, alpha: number, gauss: number, alphaClamped: boolean, transmittance: number) => void;

/**
 * Walks the compositing of one pixel, calling `visit` for each contributing splat with
 * its alpha, Gaussian value, whether 0.99 clamped it and the transmittance before it.
 * Returns the final transmittance.
 */
export function compositePixel(
  px: number,
  py: number,
  list: Int32Array,
  s: RasterSplats,
  smooth: boolean,
  visit: ContributionVisitor,
): number {
  const cx = px + 0.5;
  const cy = py + 0.5;
  let T = 1;
  for (let k = 0; k < list.length; k++) {
    const i = list[k];
    const dx = cx - s.means2d[2 * i];
    const dy = cy - s.means2d[2 * i + 1];
    const A = s.conics[3 * i];
    const B = s.conics[3 * i + 1];
    const C = s.conics[3 * i + 2];
    const q = A * dx * dx + 2 * B * dx * dy + C * dy * dy;
    const gauss = Math.exp(-0.5 * q);
    const raw = s.opacities[i] * gauss;
    if (smooth) {
      visit(i, raw, gauss, false, T);
      T *= 1 - raw;
      continue;
    }
    const clamped = raw > MAX_ALPHA;
    const alpha = clamped ? MAX_ALPHA : raw;
    if (alpha < ALPHA_THRESHOLD) continue;
    const nextT = T * (1 - alpha);
    if (nextT < TRANSMITTANCE_EPS) break;
    visit(i, alpha, gauss, clamped, T);
    T = nextT;
  }
  return T;
}

export function rasterizeForward(
  s: RasterSplats,
  bins: TileBins,
  width: number,
  height: number,
  ch: SplatChannels,
  smooth: boolean,
): Float64Array {
  const C = ch.count;
  const out = new Float64Array(width * height * C);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const list = bins.lists[Math.floor(py / bins.tileSize) * bins.tilesX + Math.floor(px / bins.tileSize)];
      const base = (py * width + px) * C;
      const T = compositePixel(px, py, list, s, smooth, (i, alpha, _g, _c, Tb) => {
        const w = alpha * Tb;
        for (let k = 0; k < C; k++) out[base + k] += w * ch.values[i * C + k];
      });
      for (let k = 0; k < C; k++) out[base + k] += T * ch.background[k];
    }
  }
  return out;
}
