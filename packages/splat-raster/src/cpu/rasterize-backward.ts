/**
 * Backward of the per-pixel compositing (rasterize.ts), CPU reference.
 *
 * Each pixel's contributions are re-walked with the forward's own `compositePixel` (same
 * skip / stop decisions), then visited back to front. With out = sum_i c_i alpha_i T_i +
 * T_final bg and A_i the blend of everything behind splat i (A after the last splat = bg,
 * A_{i-1} = c_i alpha_i + (1 - alpha_i) A_i):
 *   dOut/dc_i     = alpha_i T_i
 *   dOut/dalpha_i = T_i (c_i - A_i)
 * (3DGS `renderCUDA` backward, Kerbl et al. 2023, eq. 3). Then alpha = min(0.99, o' g)
 * (zero gradient where clamped), g = exp(-q/2), q = A dx^2 + 2 B dx dy + C dy^2,
 * dx = px + 0.5 - u.
 *
 * API
 * - `rasterizeBackward(splats, bins, width, height, channels, vOut, smooth) -> RasterGrads`
 */

import { type RasterSplats, type SplatChannels, compositePixel } from './rasterize.js';
import type { TileBins } from './tiles.js';

export interface RasterGrads {
  /** (N, 2) dL/d mean2d. */
  means2d: Float64Array;
  /** (N, 2) sum over pixels of |per-pixel dL/d mean2d| (absgrad). */
  means2dAbs: Float64Array;
  /** (N, 3) dL/d(A, B, C). */
  conics: Float64Array;
  /** (N) dL/d o'. */
  opacities: Float64Array;
  /** (N, C) dL/d channel values. */
  values: Float64Array;
}

export function rasterizeBackward(
  s: RasterSplats,
  bins: TileBins,
  width: number,
  height: number,
  ch: SplatChannels,
  /** (H, W, C) upstream gradient of the blended image. */
  vOut: Float64Array,
  smooth: boolean,
): RasterGrads {
  const n = s.opacities.length;
  const C = ch.count;
  const g: RasterGrads = {
    means2d: new Float64Array(2 * n),
    means2dAbs: new Float64Array(2 * n),
    conics: new Float64Array(3 * n),
    opacities: new Float64Array(n),
    values: new Float64Array(n * C),
  };
  const ids: number[] = [];
  const alphas: number[] = [];
  const gauss: number[] = [];
  const clamped: boolean[] = [];
  const trans: number[] = [];
  const acc = new Float64Array(C);

  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const list = bins.lists[Math.floor(py / bins.tileSize) * bins.tilesX + Math.floor(px / bins.tileSize)];
      ids.length = alphas.length = gauss.length = clamped.length = trans.length = 0;
      compositePixel(px, py, list, s, smooth, (i, a, gv, cl, T) => {
        ids.push(i);
        alphas.push(a);
        gauss.push(gv);
        clamped.push(cl);
        trans.push(T);
      });
      const base = (py * width + px) * C;
      acc.set(ch.background);
      for (let k = ids.length - 1; k >= 0; k--) {
        const i = ids[k];
        const alpha = alphas[k];
        const T = trans[k];
        let vAlpha = 0;
        for (let c = 0; c < C; c++) {
          const value = ch.values[i * C + c];
          const vo = vOut[base + c];
          g.values[i * C + c] += alpha * T * vo;
          vAlpha += vo * (value - acc[c]);
          acc[c] = value * alpha + (1 - alpha) * acc[c];
        }
        vAlpha *= T;
        if (clamped[k]) continue;
        const gv = gauss[k];
        const o = s.opacities[i];
        g.opacities[i] += vAlpha * gv;
        const vQ = -0.5 * gv * o * vAlpha;
        const dx = px + 0.5 - s.means2d[2 * i];
        const dy = py + 0.5 - s.means2d[2 * i + 1];
        const A = s.conics[3 * i];
        const B = s.conics[3 * i + 1];
        const Cc = s.conics[3 * i + 2];
        g.conics[3 * i] += vQ * dx * dx;
        g.conics[3 * i + 1] += vQ * 2 * dx * dy;
        g.conics[3 * i + 2] += vQ * dy * dy;
        // d dx / du = -1.
        const vu = -vQ * 2 * (A * dx + B * dy);
        const vv = -vQ * 2 * (B * dx + Cc * dy);
        g.means2d[2 * i] += vu;
        g.means2d[2 * i + 1] += vv;
        g.means2dAbs[2 * i] += Math.abs(vu);
        g.means2dAbs[2 * i + 1] += Math.abs(vv);
      }
    }
  }
  return g;
}
