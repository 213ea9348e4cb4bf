/**
 * Weight initialisers with PyTorch's conventions (torch.nn.init), seeded through core's
 * Generator. Each returns a fresh tensor of `shape`; the `_` forms fill a Parameter in place.
 * @see https://pytorch.org/docs/stable/nn.init.html
 */
import { Generator, HeadsplatError, full, rand, randn, type Device, type Tensor } from '@headsplat/core';
import type { Parameter } from './parameter.js';

export interface InitOptions {
  device?: Device;
  /** Parameter dtype. Default float32 (float64 on the CPU for gradient checks). */
  dtype?: 'float32' | 'float64';
  /** A stream to draw from (advanced). Takes precedence over `seed`. */
  generator?: Generator;
  /** A fresh stream from this seed. Neither given: core's global generator. */
  seed?: number;
}

export type Nonlinearity = 'linear' | 'conv' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fanIn' | 'fanOut';

/** One generator for a whole layer, so weight and bias draw different numbers from one seed. */
export function generatorOf(opts: InitOptions): Generator | undefined {
  if (opts.generator) return opts.generator;
  return opts.seed !== undefined ? new Generator(opts.seed) : undefined;
}

/**
 * fan_in = shape[1] * receptive field, fan_out = shape[0] * receptive field, as PyTorch's
 * _calculate_fan_in_and_fan_out (so for ConvTranspose2d's (in, out/groups, kh, kw) weight,
 * "fan_in" is out/groups * kh * kw, exactly as PyTorch computes it).
 */
export function calculateFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new HeadsplatError(`calculateFans: shape must have at least 2 dimensions, got [${shape.join(', ')}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/** torch.nn.init.calculate_gain. `param` is leaky_relu's negative slope (default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': { const a = param ?? 0.01; return Math.sqrt(2 / (1 + a * a)); }
    case 'selu': return 3 / 4;
    default: throw new HeadsplatError(`calculateGain: nonlinearity must be one of linear, conv, sigmoid, tanh, relu, leaky_relu, selu, got '${String(nonlinearity)}'`);
  }
}

export function uniform(shape: number[], low: number, high: number, opts: InitOptions = {}): Tensor {
  return rand(shape, { low, high, device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) });
}

export function normal(shape: number[], mean: number, std: number, opts: InitOptions = {}): Tensor {
  return randn(shape, { mean, std, device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) });
}

export const zeros = (shape: number[], opts: InitOptions = {}): Tensor => full(shape, 0, { device: opts.device, dtype: opts.dtype });
export const constant = (shape: number[], value: number, opts: InitOptions = {}): Tensor => full(shape, value, { device: opts.device, dtype: opts.dtype });

export interface KaimingOptions extends InitOptions {
  /** Negative slope of leaky_relu. Default 0. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(shape: readonly number[], o: KaimingOptions): number {
  const fans = calculateFans(shape);
  const fan = (o.mode ?? 'fanIn') === 'fanIn' ? fans.fanIn : fans.fanOut;
  return calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan);
}

/** U(-b, b) with b = gain * sqrt(3 / fan) (He et al. 2015). */
export function kaimingUniform(shape: number[], opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(shape, opts);
  return uniform(shape, -bound, bound, opts);
}

/** N(0, std²) with std = gain / sqrt(fan). */
export function kaimingNormal(shape: number[], opts: KaimingOptions = {}): Tensor {
  return normal(shape, 0, kaimingStd(shape, opts), opts);
}

export interface XavierOptions extends InitOptions {
  gain?: number;
}

/** U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010). */
export function xavierUniform(shape: number[], opts: XavierOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFans(shape);
  const bound = (opts.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(shape, -bound, bound, opts);
}

export function xavierNormal(shape: number[], opts: XavierOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFans(shape);
  return normal(shape, 0, (opts.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

/**
 * PyTorch's default for nn.Linear / nn.Conv*: weight kaiming_uniform(a = sqrt(5)), i.e.
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 */
export function defaultLayerInit(weightShape: number[], biasShape: number[] | null, opts: InitOptions): { weight: Tensor; bias: Tensor | null } {
  const gen = generatorOf(opts) ?? undefined;
  const o: InitOptions = { device: opts.device, dtype: opts.dtype, generator: gen };
  const weight = kaimingUniform(weightShape, { ...o, a: Math.sqrt(5) });
  if (!biasShape) return { weight, bias: null };
  const { fanIn } = calculateFans(weightShape);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return { weight, bias: uniform(biasShape, -bound, bound, o) };
}

function fill_(p: Parameter, t: Tensor): Parameter {
  p.assign_(t);
  t.dispose();
  return p;
}

const on = (p: Parameter, o: InitOptions): InitOptions => ({ ...o, device: p.device, dtype: p.dtype as 'float32' | 'float64' });
export const kaimingUniform_ = (p: Parameter, o: KaimingOptions = {}): Parameter => fill_(p, kaimingUniform([...p.shape], on(p, o)));
export const kaimingNormal_ = (p: Parameter, o: KaimingOptions = {}): Parameter => fill_(p, kaimingNormal([...p.shape], on(p, o)));
export const xavierUniform_ = (p: Parameter, o: XavierOptions = {}): Parameter => fill_(p, xavierUniform([...p.shape], on(p, o)));
export const xavierNormal_ = (p: Parameter, o: XavierOptions = {}): Parameter => fill_(p, xavierNormal([...p.shape], on(p, o)));
export const uniform_ = (p: Parameter, low: number, high: number, o: InitOptions = {}): Parameter => fill_(p, uniform([...p.shape], low, high, on(p, o)));
export const normal_ = (p: Parameter, mean: number, std: number, o: InitOptions = {}): Parameter => fill_(p, normal([...p.shape], mean, std, on(p, o)));
export const zeros_ = (p: Parameter): Parameter => fill_(p, full([...p.shape], 0, { device: p.device, dtype: p.dtype }));
export const constant_ = (p: Parameter, value: number): Parameter => fill_(p, full([...p.shape], value, { device: p.device, dtype: p.dtype }));
