import { HeadsplatError, concat, interpolate, type Tensor } from '@headsplat/core';
import { Sequential } from '../containers.js';
import { generatorOf, type InitOptions } from '../init.js';
import { Module, type TensorModule } from '../module.js';
import { LeakyReLU } from '../layers/activation.js';
import { Conv2d } from '../layers/conv.js';
import { GroupNorm } from '../layers/norm.js';
import { MaxPool2d } from '../layers/pool.js';

function doubleConv(inC: number, outC: number, o: InitOptions): Sequential {
  const groups = outC % 8 === 0 ? 8 : 1;
  return new Sequential(
    new Conv2d(inC, outC, 3, { ...o, padding: 1 }), new GroupNorm(groups, outC, o), new LeakyReLU(0.2),
    new Conv2d(outC, outC, 3, { ...o, padding: 1 }), new GroupNorm(groups, outC, o), new LeakyReLU(0.2),
  );
}

export interface UNetRefinerOptions extends InitOptions {
  inChannels: number;
  outChannels: number;
  /** Channels at full resolution, doubled per level. Default 32. */
  baseChannels?: number;
  /** Number of 2x downsamplings. Default 3. */
  depth?: number;
}

/**
 * A screen-space U-Net (Ronneberger et al. 2015) mapping a rendered feature image to RGB at
 * the same resolution, as HeadGAP / GAGAvatar refine their splatted features: conv-GN-lrelu
 * pairs, max-pool down, bilinear up with skip concatenation, 1x1 output conv.
 * (N, inChannels, H, W) -> (N, outChannels, H, W); H and W must be multiples of 2^depth.
 */
export class UNetRefiner extends Module implements TensorModule {
  readonly inc: Sequential;
  readonly downs: Sequential[] = [];
  readonly ups: Sequential[] = [];
  readonly outc: Conv2d;
  readonly depth: number;

  constructor(readonly opts: UNetRefinerOptions) {
    super();
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    const base = opts.baseChannels ?? 32;
    this.depth = opts.depth ?? 3;
    const ch = (l: number): number => base * 2 ** l;
    this.inc = this.registerModule('inc', doubleConv(opts.inChannels, base, o));
    for (let l = 1; l <= this.depth; l++) this.downs.push(this.registerModule(`down${l}`, new Sequential(new MaxPool2d(2), doubleConv(ch(l - 1), ch(l), o))));
    for (let l = this.depth; l >= 1; l--) this.ups.push(this.registerModule(`up${l}`, doubleConv(ch(l) + ch(l - 1), ch(l - 1), o)));
    this.outc = this.registerModule('outc', new Conv2d(base, opts.outChannels, 1, o));
  }

  forward(x: Tensor): Tensor {
    const m = 2 ** this.depth;
    if (x.rank !== 4 || x.shape[1] !== this.opts.inChannels || x.shape[2] % m !== 0 || x.shape[3] % m !== 0) {
      throw new HeadsplatError(`UNetRefiner: input must be (N, ${this.opts.inChannels}, H, W) with H and W multiples of ${m}, got [${x.shape.join(', ')}]`);
    }
    const skips: Tensor[] = [this.inc.forward(x)];
    for (const d of this.downs) skips.push(d.forward(skips[skips.length - 1]));
    let h = skips.pop()!;
    for (const u of this.ups) {
      const s = skips.pop()!;
      h = u.forward(concat([interpolate(h, { size: [s.shape[2], s.shape[3]], mode: 'bilinear' }), s], 1));
    }
    return this.outc.forward(h);
  }
}
