import { HeadsplatError, add, expand, mul, randn, reshape, unsqueeze, full, type Tensor } from '@headsplat/core';
import { generatorOf, normal, type InitOptions } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import type { Generator } from '@headsplat/core';
import { FullyConnectedLayer, biasAct, modulatedConv2d, upsample2d } from './layers.js';
import { MappingNetwork, type MappingForwardOptions, type MappingOptions } from './mapping.js';

export type NoiseMode = 'random' | 'const' | 'none';

export interface SynthesisLayerOptions extends InitOptions {
  kernelSize?: number;
  up?: 1 | 2;
  useNoise?: boolean;
  convClamp?: number;
}

/**
 * Style-modulated 3x3 convolution + noise injection + lrelu (keys `affine.*`, `weight`,
 * `noise_strength`, `noise_const`, `bias`). Upsampling runs the FIR upsampler before the
 * convolution (the reference fuses them into a transposed convolution; the maps are the
 * same up to border handling).
 */
export class SynthesisLayer extends Module {
  readonly affine: FullyConnectedLayer;
  readonly weight: Parameter;
  readonly noiseStrength: Parameter | null;
  readonly bias: Parameter;
  private readonly noiseGen: Generator | undefined;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly wDim: number, readonly resolution: number, readonly opts: SynthesisLayerOptions = {}) {
    super();
    const gen = generatorOf(opts);
    const o = { device: opts.device, dtype: opts.dtype, generator: gen };
    const k = opts.kernelSize ?? 3;
    this.noiseGen = gen;
    this.affine = this.registerModule('affine', new FullyConnectedLayer(wDim, inChannels, { ...o, biasInit: 1 }));
    this.weight = this.registerParameter('weight', Parameter.from(normal([outChannels, inChannels, k, k], 0, 1, o)));
    const useNoise = opts.useNoise ?? true;
    if (useNoise) this.registerBuffer('noise_const', normal([resolution, resolution], 0, 1, o));
    this.noiseStrength = this.registerParameter('noise_strength', useNoise ? Parameter.from(full([], 0, { device: o.device, dtype: o.dtype })) : null);
    this.bias = this.registerParameter('bias', Parameter.from(full([outChannels], 0, { device: o.device, dtype: o.dtype })));
  }

  forward(x: Tensor, w: Tensor, noiseMode: NoiseMode = 'random', gain = 1): Tensor {
    if (this.opts.up === 2) x = upsample2d(x);
    if (x.shape[2] !== this.resolution || x.shape[3] !== this.resolution) {
      throw new HeadsplatError(`SynthesisLayer: expected a ${this.resolution}x${this.resolution} feature map after upsampling, got [${x.shape.join(', ')}]`);
    }
    const styles = this.affine.forward(w);
    let y = modulatedConv2d(x, this.weight, styles, { demodulate: true });
    if (this.noiseStrength && noiseMode !== 'none') {
      const r = this.resolution;
      const noise = noiseMode === 'const'
        ? reshape(this.getBuffer('noise_const'), [1, 1, r, r])
        : randn([y.shape[0], 1, r, r], { device: y.device, dtype: y.dtype, generator: this.noiseGen });
      y = add(y, mul(noise, this.noiseStrength));
    }
    return biasAct(y, this.bias, 'lrelu', gain, this.opts.convClamp !== undefined ? this.opts.convClamp * gain : undefined);
  }
}

/** 1x1 modulated conv without demodulation to image channels (keys `affine.*`, `weight`, `bias`). */
export class ToRGBLayer extends Module {
  readonly affine: FullyConnectedLayer;
  readonly weight: Parameter;
  readonly bias: Parameter;
  private readonly weightGain: number;

  constructor(readonly inChannels: number, readonly outChannels: number, wDim: number, opts: InitOptions & { kernelSize?: number } = {}) {
    super();
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    const k = opts.kernelSize ?? 1;
    this.affine = this.registerModule('affine', new FullyConnectedLayer(wDim, inChannels, { ...o, biasInit: 1 }));
    this.weight = this.registerParameter('weight', Parameter.from(normal([outChannels, inChannels, k, k], 0, 1, o)));
    this.bias = this.registerParameter('bias', Parameter.from(full([outChannels], 0, { device: o.device, dtype: o.dtype })));
    this.weightGain = 1 / Math.sqrt(inChannels * k * k);
  }

  forward(x: Tensor, w: Tensor): Tensor {
    const styles = mul(this.affine.forward(w), this.weightGain);
    return biasAct(modulatedConv2d(x, this.weight, styles, { demodulate: false }), this.bias, 'linear');
  }
}

/**
 * One resolution of the synthesis network, 'skip' architecture (keys `const` (first block),
 * `conv0`, `conv1`, `torgb`). Consumes numConv + 1 ws: (N, numWs, wDim).
 */
export class SynthesisBlock extends Module {
  readonly const: Parameter | null;
  readonly conv0: SynthesisLayer | null;
  readonly conv1: SynthesisLayer;
  readonly torgb: ToRGBLayer;
  readonly numConv: number;

  constructor(readonly inChannels: number, readonly outChannels: number, wDim: number, readonly resolution: number, imgChannels: number, opts: InitOptions & { useNoise?: boolean } = {}) {
    super();
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    this.const = this.registerParameter('const', inChannels === 0 ? Parameter.from(normal([outChannels, resolution, resolution], 0, 1, o)) : null);
    this.conv0 = this.registerModule('conv0', inChannels === 0 ? null : new SynthesisLayer(inChannels, outChannels, wDim, resolution, { ...o, up: 2, useNoise: opts.useNoise }));
    this.conv1 = this.registerModule('conv1', new SynthesisLayer(outChannels, outChannels, wDim, resolution, { ...o, useNoise: opts.useNoise }));
    this.torgb = this.registerModule('torgb', new ToRGBLayer(outChannels, imgChannels, wDim, o));
    this.numConv = inChannels === 0 ? 1 : 2;
  }

  forward(x: Tensor | null, img: Tensor | null, ws: Tensor, noiseMode: NoiseMode = 'random'): [Tensor, Tensor] {
    const N = ws.shape[0];
    const wAt = (i: number): Tensor => reshape(ws.narrow(1, i, 1), [N, ws.shape[2]]);
    let i = 0;
    let h: Tensor;
    if (this.const) h = expand(unsqueeze(this.const, 0), [N, ...this.const.shape]);
    else h = this.conv0!.forward(x!, wAt(i++), noiseMode);
    h = this.conv1.forward(h, wAt(i++), noiseMode);
    const rgb = this.torgb.forward(h, wAt(i));
    return [h, img ? add(upsample2d(img), rgb) : rgb];
  }
}

export interface SynthesisOptions extends InitOptions {
  wDim: number;
  imgResolution: number;
  imgChannels: number;
  /** channels(res) = min(channelBase / res, channelMax). Defaults 32768 and 512. */
  channelBase?: number;
  channelMax?: number;
  useNoise?: boolean;
}

/** Blocks `b4`, `b8`, ..., `b<imgResolution>` (skip architecture). ws: (N, numWs, wDim). */
export class SynthesisNetwork extends Module {
  readonly blocks: SynthesisBlock[] = [];
  readonly numWs: number;

  constructor(readonly opts: SynthesisOptions) {
    super();
    const R = opts.imgResolution;
    if (!Number.isInteger(Math.log2(R)) || R < 4) throw new HeadsplatError(`SynthesisNetwork: imgResolution must be a power of 2 >= 4, got ${R}`);
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    const ch = (r: number): number => Math.min(Math.floor((opts.channelBase ?? 32768) / r), opts.channelMax ?? 512);
    let numWs = 0;
    for (let r = 4; r <= R; r *= 2) {
      const blk = new SynthesisBlock(r === 4 ? 0 : ch(r / 2), ch(r), opts.wDim, r, opts.imgChannels, { ...o, useNoise: opts.useNoise });
      this.blocks.push(this.registerModule(`b${r}`, blk));
      numWs += blk.numConv;
    }
    this.numWs = numWs + 1; // the last toRGB's w
  }

  forward(ws: Tensor, noiseMode: NoiseMode = 'random'): Tensor {
    if (ws.rank !== 3 || ws.shape[1] !== this.numWs || ws.shape[2] !== this.opts.wDim) {
      throw new HeadsplatError(`SynthesisNetwork: ws must have shape (N, ${this.numWs}, ${this.opts.wDim}), got [${ws.shape.join(', ')}]`);
    }
    let x: Tensor | null = null;
    let img: Tensor | null = null;
    let wi = 0;
    for (const b of this.blocks) {
      // Consecutive blocks share a w: a block's toRGB uses the w of the next block's conv0.
      [x, img] = b.forward(x, img, ws.narrow(1, wi, b.numConv + 1), noiseMode);
      wi += b.numConv;
    }
    return img!;
  }
}

export interface GeneratorOptions extends SynthesisOptions {
  zDim: number;
  cDim?: number;
  mapping?: MappingOptions;
}

/** Mapping + synthesis (keys `mapping.*`, `synthesis.*`). */
export class StyleGAN2Generator extends Module {
  readonly mapping: MappingNetwork;
  readonly synthesis: SynthesisNetwork;

  constructor(opts: GeneratorOptions) {
    super();
    const gen = generatorOf(opts);
    this.synthesis = new SynthesisNetwork({ ...opts, generator: gen });
    this.mapping = this.registerModule('mapping', new MappingNetwork(opts.zDim, opts.cDim ?? 0, opts.wDim, this.synthesis.numWs, { device: opts.device, dtype: opts.dtype, generator: gen, ...opts.mapping }));
    this.registerModule('synthesis', this.synthesis);
  }

  forward(z: Tensor, c: Tensor | null = null, opts: MappingForwardOptions & { noiseMode?: NoiseMode } = {}): Tensor {
    return this.synthesis.forward(this.mapping.forward(z, c, opts), opts.noiseMode);
  }
}
