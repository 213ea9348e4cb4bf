import { HeadsplatError, add, concat, mean, mul, reshape, sqrt, square, sub, sum, repeat, type Tensor } from '@headsplat/core';
import { generatorOf, type InitOptions } from '../init.js';
import { Module } from '../module.js';
import { Conv2dLayer, FullyConnectedLayer } from './layers.js';
import { MappingNetwork } from './mapping.js';

/**
 * Minibatch standard deviation (Karras et al. 2018, §3): per group of `groupSize` samples,
 * the std over the group averaged over channels and pixels, appended as `numChannels` maps.
 */
export function minibatchStd(x: Tensor, groupSize = 4, numChannels = 1): Tensor {
  const [N, C, H, W] = x.shape;
  const G = Math.min(groupSize, N);
  if (N % G !== 0) throw new HeadsplatError(`minibatchStd: batch size ${N} must be divisible by the group size ${G}`);
  if (C % numChannels !== 0) throw new HeadsplatError(`minibatchStd: channels ${C} must be divisible by numChannels ${numChannels}`);
  const F = numChannels;
  let y = reshape(x, [G, N / G, F, C / F, H, W]);
  y = sub(y, mean(y, 0, true));
  y = sqrt(add(mean(square(y), 0), 1e-8)); // (N/G, F, c, H, W)
  y = mean(y, [2, 3, 4]); // (N/G, F)
  y = repeat(reshape(y, [N / G, F, 1, 1]), [G, 1, H, W]);
  return concat([x, y], 1);
}

/** One discriminator resolution, 'resnet' architecture (keys `fromrgb` (first), `conv0`, `conv1`, `skip`). */
export class DiscriminatorBlock extends Module {
  readonly fromrgb: Conv2dLayer | null;
  readonly conv0: Conv2dLayer;
  readonly conv1: Conv2dLayer;
  readonly skip: Conv2dLayer;

  constructor(inChannels: number, tmpChannels: number, outChannels: number, imgChannels: number, opts: InitOptions = {}) {
    super();
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    this.fromrgb = this.registerModule('fromrgb', inChannels === 0 ? new Conv2dLayer(imgChannels, tmpChannels, 1, { ...o, activation: 'lrelu' }) : null);
    this.conv0 = this.registerModule('conv0', new Conv2dLayer(tmpChannels, tmpChannels, 3, { ...o, activation: 'lrelu' }));
    this.conv1 = this.registerModule('conv1', new Conv2dLayer(tmpChannels, outChannels, 3, { ...o, activation: 'lrelu', down: 2 }));
    this.skip = this.registerModule('skip', new Conv2dLayer(tmpChannels, outChannels, 1, { ...o, bias: false, down: 2 }));
  }

  forward(x: Tensor | null, img: Tensor | null): Tensor {
    if (this.fromrgb) x = this.fromrgb.forward(img!);
    const y = this.skip.forward(x!, Math.SQRT1_2);
    return add(y, this.conv1.forward(this.conv0.forward(x!), Math.SQRT1_2));
  }
}

export interface DiscriminatorOptions extends InitOptions {
  imgResolution: number;
  imgChannels: number;
  /** Conditioning size (EG3D / GGHead: 25 camera parameters); 0 for none. */
  cDim?: number;
  /** Projection dimension of the conditioning (cmap). Default: channels at 4x4. */
  cmapDim?: number;
  channelBase?: number;
  channelMax?: number;
  mbstdGroupSize?: number;
  mbstdNumChannels?: number;
}

/**
 * StyleGAN2 discriminator: resnet blocks `b<R>` ... `b8`, then the 4x4 epilogue `b4`
 * (minibatch std, conv, fc, out) and, with conditioning, the projection discriminator of
 * Miyato & Koyama 2018: logits = Σ out(x) · cmap(c) / √cmapDim with cmap from a mapping
 * network (`mapping.*`).
 */
export class StyleGAN2Discriminator extends Module {
  readonly blocks: DiscriminatorBlock[] = [];
  readonly mapping: MappingNetwork | null;
  readonly cmapDim: number;
  private readonly epilogue: Module & { conv: Conv2dLayer; fc: FullyConnectedLayer; out: FullyConnectedLayer };

  constructor(readonly opts: DiscriminatorOptions) {
    super();
    const R = opts.imgResolution;
    if (!Number.isInteger(Math.log2(R)) || R < 8) throw new HeadsplatError(`StyleGAN2Discriminator: imgResolution must be a power of 2 >= 8, got ${R}`);
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    const ch = (r: number): number => Math.min(Math.floor((opts.channelBase ?? 32768) / r), opts.channelMax ?? 512);
    for (let r = R; r > 4; r /= 2) {
      this.blocks.push(this.registerModule(`b${r}`, new DiscriminatorBlock(r === R ? 0 : ch(r), ch(r), ch(r / 2), opts.imgChannels, o)));
    }
    const cDim = opts.cDim ?? 0;
    this.cmapDim = cDim > 0 ? (opts.cmapDim ?? ch(4)) : 0;
    this.mapping = this.registerModule('mapping', cDim > 0 ? new MappingNetwork(0, cDim, this.cmapDim, null, { ...o, wAvgBeta: null }) : null);
    const c4 = ch(4);
    const mb = opts.mbstdNumChannels ?? 1;
    const ep = new Module() as Module & { conv: Conv2dLayer; fc: FullyConnectedLayer; out: FullyConnectedLayer };
    ep.conv = ep.registerModule('conv', new Conv2dLayer(c4 + mb, c4, 3, { ...o, activation: 'lrelu' }));
    ep.fc = ep.registerModule('fc', new FullyConnectedLayer(c4 * 16, c4, { ...o, activation: 'lrelu' }));
    ep.out = ep.registerModule('out', new FullyConnectedLayer(c4, this.cmapDim || 1, o));
    this.epilogue = this.registerModule('b4', ep);
  }

  /** img (N, C, R, R), c (N, cDim) -> logits (N, 1). */
  forward(img: Tensor, c: Tensor | null = null): Tensor {
    const R = this.opts.imgResolution;
    if (img.rank !== 4 || img.shape[1] !== this.opts.imgChannels || img.shape[2] !== R || img.shape[3] !== R) {
      throw new HeadsplatError(`StyleGAN2Discriminator: img must have shape (N, ${this.opts.imgChannels}, ${R}, ${R}), got [${img.shape.join(', ')}]`);
    }
    let x: Tensor | null = null;
    for (const b of this.blocks) x = b.forward(x, img);
    const ep = this.epilogue;
    let h = minibatchStd(x!, this.opts.mbstdGroupSize ?? 4, this.opts.mbstdNumChannels ?? 1);
    h = ep.conv.forward(h);
    h = ep.fc.forward(reshape(h, [h.shape[0], -1]));
    h = ep.out.forward(h);
    if (!this.mapping) return h;
    const cmap = this.mapping.forward(null, c);
    return mul(sum(mul(h, cmap), 1, true), 1 / Math.sqrt(this.cmapDim));
  }
}
