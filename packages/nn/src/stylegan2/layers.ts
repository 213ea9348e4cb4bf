/**
 * StyleGAN2 building blocks with the parameter names of NVlabs' stylegan2-ada-pytorch /
 * EG3D `networks_stylegan2.py` (what GGHead builds on): equalised learning rate (weights
 * stored N(0, 1) / lr_mul and scaled at run time by lr_mul / sqrt(fan_in); Karras et al.
 * 2018, §4.1), bias_act with lrelu gain √2, FIR [1,3,3,1] resampling, and modulated
 * convolution with weight demodulation (Karras et al. 2020, eq. 1-3).
 */
import {
  HeadsplatError, add, conv2d, convTranspose2d, leakyRelu, linear, mul, reshape, rsqrt, sum, tensor, type Tensor,
} from '@headsplat/core';
import { constant, generatorOf, normal, type InitOptions } from '../init.js';
import { Module, type TensorModule } from '../module.js';
import { Parameter } from '../parameter.js';

export type SgActivation = 'linear' | 'lrelu';

/** bias_act: x + b (per channel on axis 1), then the activation times its default gain (lrelu: slope 0.2, gain √2). */
export function biasAct(x: Tensor, b: Tensor | null, act: SgActivation, gain = 1, clamp?: number): Tensor {
  let y = x;
  if (b) y = add(y, reshape(b, x.shape.map((d, i) => (i === 1 ? d : 1))));
  if (act === 'lrelu') {
    y = leakyRelu(y, 0.2);
    gain *= Math.SQRT2;
  }
  if (gain !== 1) y = mul(y, gain);
  if (clamp !== undefined) y = y.clamp(-clamp, clamp);
  return y;
}

/** The normalised 2-D FIR filter outer(f, f) / sum² for f = [1, 3, 3, 1], times `gain`, as a depthwise (C, 1, 4, 4) weight. */
function firWeight(x: Tensor, gain: number): Tensor {
  const f = [1, 3, 3, 1];
  const C = x.shape[1];
  const w = new Float32Array(C * 16);
  for (let c = 0; c < C; c++) for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) w[c * 16 + i * 4 + j] = (f[i] * f[j] * gain) / 64;
  return tensor(w, { shape: [C, 1, 4, 4], device: x.device, dtype: x.dtype });
}

/**
 * 2x upsampling with the [1,3,3,1] filter (upfirdn2d.upsample2d: zero insertion, pad [2, 1],
 * FIR with gain 4), written as a depthwise transposed convolution with stride 2, padding 1.
 */
export function upsample2d(x: Tensor): Tensor {
  const w = firWeight(x, 4);
  const y = convTranspose2d(x, w, { stride: 2, padding: 1, groups: x.shape[1] });
  w.dispose();
  return y;
}

/** 2x downsampling with the [1,3,3,1] filter (upfirdn2d.downsample2d: pad 1, FIR, keep every 2nd sample). */
export function downsample2d(x: Tensor): Tensor {
  const w = firWeight(x, 1);
  const y = conv2d(x, w, { stride: 2, padding: 1, groups: x.shape[1] });
  w.dispose();
  return y;
}

export interface FullyConnectedOptions extends InitOptions {
  bias?: boolean;
  activation?: SgActivation;
  /** Learning-rate multiplier (0.01 in the mapping network). Default 1. */
  lrMultiplier?: number;
  /** Initial bias (1 for the style affines). Default 0. */
  biasInit?: number;
}

/** Equalised-lr linear layer (keys `weight`, `bias`). */
export class FullyConnectedLayer extends Module implements TensorModule {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly activation: SgActivation;
  private readonly weightGain: number;
  private readonly biasGain: number;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: FullyConnectedOptions = {}) {
    super();
    const lr = opts.lrMultiplier ?? 1;
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    this.activation = opts.activation ?? 'linear';
    this.weight = this.registerParameter('weight', Parameter.from(normal([outFeatures, inFeatures], 0, 1 / lr, o)));
    this.bias = this.registerParameter('bias', opts.bias === false ? null : Parameter.from(constant([outFeatures], (opts.biasInit ?? 0) / lr, o)));
    this.weightGain = lr / Math.sqrt(inFeatures);
    this.biasGain = lr;
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) throw new HeadsplatError(`FullyConnectedLayer: input must have shape (N, ${this.inFeatures}), got [${x.shape.join(', ')}]`);
    const w = mul(this.weight, this.weightGain);
    const b = this.bias ? (this.biasGain === 1 ? this.bias : mul(this.bias, this.biasGain)) : null;
    if (this.activation === 'linear') return linear(x, w, b);
    return biasAct(linear(x, w), b, this.activation);
  }
}

export interface Conv2dLayerOptions extends InitOptions {
  bias?: boolean;
  activation?: SgActivation;
  up?: 1 | 2;
  down?: 1 | 2;
  /** Clamp of the output (conv_clamp). */
  convClamp?: number;
}

/** Equalised-lr convolution with optional FIR up/down-sampling (keys `weight`, `bias`). */
export class Conv2dLayer extends Module implements TensorModule {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  private readonly weightGain: number;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, readonly opts: Conv2dLayerOptions = {}) {
    super();
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    this.weight = this.registerParameter('weight', Parameter.from(normal([outChannels, inChannels, kernelSize, kernelSize], 0, 1, o)));
    this.bias = this.registerParameter('bias', opts.bias === false ? null : Parameter.from(constant([outChannels], 0, o)));
    this.weightGain = 1 / Math.sqrt(inChannels * kernelSize * kernelSize);
  }

  forward(x: Tensor, gain = 1): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.inChannels) throw new HeadsplatError(`Conv2dLayer: input must have shape (N, ${this.inChannels}, H, W), got [${x.shape.join(', ')}]`);
    if (this.opts.up === 2) x = upsample2d(x);
    if (this.opts.down === 2) x = downsample2d(x);
    const y = conv2d(x, mul(this.weight, this.weightGain), { padding: Math.floor(this.kernelSize / 2) });
    return biasAct(y, this.bias, this.opts.activation ?? 'linear', gain, this.opts.convClamp !== undefined ? this.opts.convClamp * gain : undefined);
  }
}

/**
 * Modulated convolution (StyleGAN2 eq. 1-3): w'_{ijk} = s_i w_{ijk}, demodulated by
 * 1/sqrt(Σ w'² + 1e-8) per output channel; one grouped convolution over the batch.
 * x (N, I, H, W), weight (O, I, k, k), styles (N, I).
 */
export function modulatedConv2d(x: Tensor, weight: Tensor, styles: Tensor, opts: { demodulate?: boolean; padding?: number } = {}): Tensor {
  const [N, I, H, W] = x.shape;
  const [O, wi, kh, kw] = weight.shape;
  if (wi !== I || styles.rank !== 2 || styles.shape[0] !== N || styles.shape[1] !== I) {
    throw new HeadsplatError(`modulatedConv2d: expected x (N, I, H, W), weight (O, I, k, k) and styles (N, I) with matching N and I, got x [${x.shape.join(', ')}], weight [${weight.shape.join(', ')}], styles [${styles.shape.join(', ')}]`);
  }
  let w = mul(reshape(weight, [1, O, I, kh, kw]), reshape(styles, [N, 1, I, 1, 1]));
  if (opts.demodulate ?? true) w = mul(w, rsqrt(add(sum(mul(w, w), [2, 3, 4], true), 1e-8)));
  const y = conv2d(reshape(x, [1, N * I, H, W]), reshape(w, [N * O, I, kh, kw]), { padding: opts.padding ?? Math.floor(kh / 2), groups: N });
  return reshape(y, [N, O, y.shape[2], y.shape[3]]);
}
