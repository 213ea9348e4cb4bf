/**
 * Normalisation layers: LayerNorm, GroupNorm, BatchNorm2d with PyTorch's parameter and
 * buffer names (weight, bias, running_mean, running_var, num_batches_tracked).
 */
import {
  HeadsplatError, add, full, mean, mul, noGrad, reshape, rsqrt, square, sub, tidy, type Device, type Tensor,
} from '@headsplat/core';
import { Module, type TensorModule } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkInput, positiveInt } from './check.js';

/** (x - mean) / sqrt(biased var + eps) over `axes`. */
export function normalize(x: Tensor, axes: number[], eps: number): Tensor {
  const mu = mean(x, axes, true);
  const xc = sub(x, mu);
  const v = mean(square(xc), axes, true);
  return mul(xc, rsqrt(add(v, eps)));
}

export interface NormOptions {
  eps?: number;
  device?: Device;
  dtype?: 'float32' | 'float64';
}

/** torch.nn.LayerNorm over the trailing `normalizedShape` dims. */
export class LayerNorm extends Module implements TensorModule {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(normalizedShape: number | number[], opts: NormOptions & { elementwiseAffine?: boolean; bias?: boolean } = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.normalizedShape.forEach((d, i) => positiveInt('LayerNorm', `normalizedShape[${i}]`, d));
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = this.registerParameter('weight', affine ? Parameter.from(full(this.normalizedShape, 1, { device: opts.device, dtype: opts.dtype })) : null);
    this.bias = this.registerParameter('bias', affine && opts.bias !== false ? Parameter.from(full(this.normalizedShape, 0, { device: opts.device, dtype: opts.dtype })) : null);
  }

  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    checkInput('LayerNorm', x, { minRank: k });
    const tail = x.shape.slice(x.rank - k);
    if (tail.some((d, i) => d !== this.normalizedShape[i])) {
      throw new HeadsplatError(`LayerNorm: input's trailing dimensions must be [${this.normalizedShape.join(', ')}], got shape [${x.shape.join(', ')}]`);
    }
    const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
    let y = normalize(x, axes, this.eps);
    if (this.weight) y = mul(y, this.weight);
    if (this.bias) y = add(y, this.bias);
    return y;
  }
}

/** Shape [1, C, 1, ...] to broadcast a per-channel vector over (N, C, *). */
const channelShape = (x: Tensor): number[] => x.shape.map((d, i) => (i === 1 ? d : 1));

/** torch.nn.GroupNorm over (N, C, *): statistics per sample and group of C / G channels. */
export class GroupNorm extends Module implements TensorModule {
  readonly eps: number;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(readonly numGroups: number, readonly numChannels: number, opts: NormOptions & { affine?: boolean } = {}) {
    super();
    positiveInt('GroupNorm', 'numGroups', numGroups);
    positiveInt('GroupNorm', 'numChannels', numChannels);
    if (numChannels % numGroups !== 0) throw new HeadsplatError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups, got ${numGroups}`);
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.affine ?? true;
    this.weight = this.registerParameter('weight', affine ? Parameter.from(full([numChannels], 1, { device: opts.device, dtype: opts.dtype })) : null);
    this.bias = this.registerParameter('bias', affine ? Parameter.from(full([numChannels], 0, { device: opts.device, dtype: opts.dtype })) : null);
  }

  forward(x: Tensor): Tensor {
    checkInput('GroupNorm', x, { minRank: 2, channels: this.numChannels });
    const n = x.shape[0];
    const g = reshape(x, [n, this.numGroups, -1]);
    let y = reshape(normalize(g, [2], this.eps), [...x.shape]);
    if (this.weight) y = mul(y, reshape(this.weight, channelShape(x)));
    if (this.bias) y = add(y, reshape(this.bias, channelShape(x)));
    return y;
  }
}

export interface BatchNormOptions extends NormOptions {
  /** Running-stat update factor: running = (1 - momentum) running + momentum batch. Default 0.1. */
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/**
 * torch.nn.BatchNorm2d. Training normalises with the batch's biased variance and updates
 * the running mean and the running *unbiased* variance; eval uses the running stats.
 * @see https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
 */
export class BatchNorm2d extends Module implements TensorModule {
  readonly eps: number;
  readonly momentum: number;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly trackRunningStats: boolean;

  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    positiveInt('BatchNorm2d', 'numFeatures', numFeatures);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new HeadsplatError(`BatchNorm2d: momentum must be in [0, 1], got ${this.momentum}`);
    const affine = opts.affine ?? true;
    const device = opts.device;
    const dtype = opts.dtype;
    this.weight = this.registerParameter('weight', affine ? Parameter.from(full([numFeatures], 1, { device, dtype })) : null);
    this.bias = this.registerParameter('bias', affine ? Parameter.from(full([numFeatures], 0, { device, dtype })) : null);
    this.trackRunningStats = opts.trackRunningStats ?? true;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', full([numFeatures], 0, { device, dtype }));
      this.registerBuffer('running_var', full([numFeatures], 1, { device, dtype }));
      // PyTorch keeps an int64 counter; int32 holds any realistic step count and loads from int64 files.
      this.registerBuffer('num_batches_tracked', full([], 0, { device, dtype: 'int32' }));
    }
  }

  forward(x: Tensor): Tensor {
    checkInput('BatchNorm2d', x, { rank: 4, channels: this.numFeatures });
    const cs = [1, this.numFeatures, 1, 1];
    let y: Tensor;
    if (this.training || !this.trackRunningStats) {
      const count = x.shape[0] * x.shape[2] * x.shape[3];
      if (this.training && count < 2) throw new HeadsplatError(`BatchNorm2d: training needs more than one value per channel, got input shape [${x.shape.join(', ')}]`);
      const mu = mean(x, [0, 2, 3], true);
      const xc = sub(x, mu);
      const v = mean(square(xc), [0, 2, 3], true);
      y = mul(xc, rsqrt(add(v, this.eps)));
      if (this.training && this.trackRunningStats) this.updateRunningStats(mu, v, count);
    } else {
      y = mul(sub(x, reshape(this.getBuffer('running_mean'), cs)), reshape(rsqrt(add(this.getBuffer('running_var'), this.eps)), cs));
    }
    if (this.weight) y = mul(y, reshape(this.weight, cs));
    if (this.bias) y = add(y, reshape(this.bias, cs));
    return y;
  }

  private updateRunningStats(mu: Tensor, biasedVar: Tensor, count: number): void {
    const m = this.momentum;
    noGrad(() => tidy(() => {
      const rm = this.getBuffer('running_mean');
      const rv = this.getBuffer('running_var');
      const unbiased = mul(reshape(biasedVar.detach(), [this.numFeatures]), count / (count - 1));
      this.setBuffer('running_mean', add(mul(rm, 1 - m), mul(reshape(mu.detach(), [this.numFeatures]), m)));
      this.setBuffer('running_var', add(mul(rv, 1 - m), mul(unbiased, m)));
      this.setBuffer('num_batches_tracked', add(this.getBuffer('num_batches_tracked'), 1));
    }));
  }
}
