import { HeadsplatError, add, concat, expand, mean, mul, noGrad, reshape, rsqrt, sub, tidy, unsqueeze, full, type Tensor } from '@headsplat/core';
import { generatorOf, type InitOptions } from '../init.js';
import { Module } from '../module.js';
import { FullyConnectedLayer } from './layers.js';

/** x / sqrt(mean(x², axis 1) + eps) (StyleGAN's pixel norm of z). */
export function normalize2ndMoment(x: Tensor, eps = 1e-8): Tensor {
  return mul(x, rsqrt(add(mean(mul(x, x), 1, true), eps)));
}

export interface MappingOptions extends InitOptions {
  /** Default 8. */
  numLayers?: number;
  /** Default 0.01. */
  lrMultiplier?: number;
  /** EMA decay of w_avg; null disables tracking (discriminator's cmap). Default 0.998. */
  wAvgBeta?: number | null;
}

export interface MappingForwardOptions {
  /** Truncation ψ (1 = none): w ← w_avg + ψ (w - w_avg). */
  truncationPsi?: number;
  /** Truncate only the first `truncationCutoff` ws. */
  truncationCutoff?: number;
  /** Update w_avg in training mode. Default true. */
  updateEmas?: boolean;
}

/**
 * StyleGAN2's mapping network z (+ c) -> w: normalised z (and embedded, normalised c),
 * `numLayers` lrelu FC layers with lr multiplier 0.01 (keys `embed`, `fc0`..`fc7`,
 * `w_avg`), w broadcast to (N, numWs, wDim), with w_avg tracking and truncation.
 */
export class MappingNetwork extends Module {
  readonly embed: FullyConnectedLayer | null;
  readonly layers: FullyConnectedLayer[] = [];
  readonly wAvgBeta: number | null;

  constructor(readonly zDim: number, readonly cDim: number, readonly wDim: number, readonly numWs: number | null, opts: MappingOptions = {}) {
    super();
    if (zDim + cDim === 0) throw new HeadsplatError('MappingNetwork: zDim + cDim must be > 0, got 0');
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    const numLayers = opts.numLayers ?? 8;
    const lr = opts.lrMultiplier ?? 0.01;
    const embedDim = cDim > 0 ? wDim : 0;
    this.embed = this.registerModule('embed', cDim > 0 ? new FullyConnectedLayer(cDim, embedDim, o) : null);
    const feats = [zDim + embedDim, ...Array<number>(numLayers - 1).fill(wDim), wDim];
    for (let i = 0; i < numLayers; i++) {
      this.layers.push(this.registerModule(`fc${i}`, new FullyConnectedLayer(feats[i], feats[i + 1], { ...o, activation: 'lrelu', lrMultiplier: lr })));
    }
    this.wAvgBeta = opts.wAvgBeta === undefined ? 0.998 : opts.wAvgBeta;
    if (this.numWs !== null && this.wAvgBeta !== null) this.registerBuffer('w_avg', full([wDim], 0, { device: o.device, dtype: o.dtype }));
  }

  /** z (N, zDim) and c (N, cDim) -> ws (N, numWs, wDim), or (N, wDim) when numWs is null. */
  forward(z: Tensor | null, c: Tensor | null = null, opts: MappingForwardOptions = {}): Tensor {
    const parts: Tensor[] = [];
    if (this.zDim > 0) {
      if (!z || z.rank !== 2 || z.shape[1] !== this.zDim) throw new HeadsplatError(`MappingNetwork: z must have shape (N, ${this.zDim}), got ${z ? `[${z.shape.join(', ')}]` : 'null'}`);
      parts.push(normalize2ndMoment(z));
    }
    if (this.cDim > 0) {
      if (!c || c.rank !== 2 || c.shape[1] !== this.cDim) throw new HeadsplatError(`MappingNetwork: c must have shape (N, ${this.cDim}), got ${c ? `[${c.shape.join(', ')}]` : 'null'}`);
      parts.push(normalize2ndMoment(this.embed!.forward(c)));
    }
    let x = parts.length === 1 ? parts[0] : concat(parts, 1);
    for (const l of this.layers) x = l.forward(x);
    if (this.numWs === null) return x;
    const hasAvg = this.wAvgBeta !== null;
    if (hasAvg && this.training && (opts.updateEmas ?? true)) {
      const beta = this.wAvgBeta!;
      noGrad(() => tidy(() => {
        const avg = this.getBuffer('w_avg');
        this.setBuffer('w_avg', add(mean(x.detach(), 0), mul(sub(avg, mean(x.detach(), 0)), beta)));
      }));
    }
    const N = x.shape[0];
    let ws = expand(unsqueeze(x, 1), [N, this.numWs, this.wDim]);
    const psi = opts.truncationPsi ?? 1;
    if (psi !== 1) {
      if (!hasAvg) throw new HeadsplatError('MappingNetwork: truncation needs w_avg tracking (wAvgBeta must not be null)');
      const avg = reshape(this.getBuffer('w_avg'), [1, 1, this.wDim]);
      const cut = opts.truncationCutoff ?? this.numWs;
      const trunc = add(avg, mul(sub(ws, avg), psi));
      ws = cut >= this.numWs ? trunc : concat([trunc.narrow(1, 0, cut), ws.narrow(1, cut, this.numWs - cut)], 1);
    }
    return ws;
  }
}
