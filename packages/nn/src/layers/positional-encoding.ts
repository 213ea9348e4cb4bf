import { HeadsplatError, concat, cos, mul, reshape, sin, stack, tensor, unsqueeze, type Tensor } from '@headsplat/core';
import { Module, type TensorModule } from '../module.js';

export interface PositionalEncodingOptions {
  /** Input dimension D (3 for points). */
  inputDims: number;
  /** Number of frequency bands L. */
  numFrequencies: number;
  /** Prepend the raw input (NeRF's include_input). Default true. */
  includeInput?: boolean;
  /** Bands 2^0..2^(L-1) (default) or L bands evenly spaced in [1, 2^(L-1)]. */
  logSampling?: boolean;
  /** Multiply the frequencies by π as in the NeRF paper's eq. 4; the official code does not. Default false. */
  pi?: boolean;
}

/**
 * NeRF's Fourier-feature positional encoding (Mildenhall et al. 2020, eq. 4), in the
 * official code's layout: [x, sin(f₀x), cos(f₀x), sin(f₁x), cos(f₁x), ...], each block D
 * wide, so MLP weights trained with the reference implementation line up.
 * (..., D) -> (..., outDims).
 */
export class PositionalEncoding extends Module implements TensorModule {
  readonly outDims: number;
  readonly frequencies: number[];

  constructor(readonly opts: PositionalEncodingOptions) {
    super();
    const { inputDims: D, numFrequencies: L } = opts;
    if (!Number.isInteger(D) || D < 1) throw new HeadsplatError(`PositionalEncoding: inputDims must be an integer >= 1, got ${D}`);
    if (!Number.isInteger(L) || L < 0) throw new HeadsplatError(`PositionalEncoding: numFrequencies must be an integer >= 0, got ${L}`);
    const include = opts.includeInput ?? true;
    if (!include && L === 0) throw new HeadsplatError('PositionalEncoding: with includeInput false, numFrequencies must be >= 1 (the output would be empty)');
    const maxLog = L - 1;
    this.frequencies = Array.from({ length: L }, (_, k) =>
      ((opts.logSampling ?? true) ? 2 ** k : L === 1 ? 1 : 1 + ((2 ** maxLog - 1) * k) / (L - 1)) * (opts.pi ? Math.PI : 1));
    this.outDims = (include ? D : 0) + 2 * L * D;
  }

  forward(x: Tensor): Tensor {
    const D = this.opts.inputDims;
    if (x.rank < 1 || x.shape[x.rank - 1] !== D) throw new HeadsplatError(`PositionalEncoding: input's last dimension must be ${D}, got shape [${x.shape.join(', ')}]`);
    const L = this.frequencies.length;
    const parts: Tensor[] = [];
    if (this.opts.includeInput ?? true) parts.push(x);
    if (L > 0) {
      const f = tensor(Float32Array.from(this.frequencies), { shape: [L, 1], device: x.device, dtype: x.dtype });
      const xf = mul(unsqueeze(x, -2), f); // (..., L, D)
      const sc = stack([sin(xf), cos(xf)], -2); // (..., L, 2, D)
      parts.push(reshape(sc, [...x.shape.slice(0, -1), 2 * L * D]));
      f.dispose();
    }
    return parts.length === 1 ? parts[0] : concat(parts, -1);
  }
}
