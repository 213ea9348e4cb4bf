import { HeadsplatError, add, concat, expand, full, interpolate, mul, permute, reshape, flatten, type Tensor } from '@headsplat/core';
import { ModuleList } from '../containers.js';
import { generatorOf, normal, type InitOptions } from '../init.js';
import { Module, type TensorModule } from '../module.js';
import { Parameter } from '../parameter.js';
import { activationFn, type ActivationFn } from './activation.js';
import { MultiheadAttention } from './attention.js';
import { positiveInt } from './check.js';
import { Conv2d } from './conv.js';
import { Linear } from './linear.js';
import { LayerNorm } from './norm.js';

/** fc1 -> GELU -> fc2 (timm's Mlp; keys `fc1.*`, `fc2.*`). */
export class FeedForward extends Module implements TensorModule {
  readonly fc1: Linear;
  readonly fc2: Linear;
  private readonly act: ActivationFn = activationFn('gelu');

  constructor(dim: number, hidden: number, opts: InitOptions = {}) {
    super();
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    this.fc1 = this.registerModule('fc1', new Linear(dim, hidden, o));
    this.fc2 = this.registerModule('fc2', new Linear(hidden, dim, o));
  }

  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act(this.fc1.forward(x)));
  }
}

/** Per-channel residual scaling (CaiT / DINOv2's LayerScale; key `gamma`). */
export class LayerScale extends Module implements TensorModule {
  readonly gamma: Parameter;
  constructor(dim: number, init = 1e-5, opts: InitOptions = {}) {
    super();
    this.gamma = this.registerParameter('gamma', Parameter.from(full([dim], init, { device: opts.device, dtype: opts.dtype })));
  }

  forward(x: Tensor): Tensor {
    return mul(x, this.gamma);
  }
}

export interface VitBlockOptions extends InitOptions {
  /** Hidden width of the MLP as a multiple of dim. Default 4. */
  mlpRatio?: number;
  qkvBias?: boolean;
  /** LayerNorm eps. Default 1e-6 (timm / DINOv2). */
  eps?: number;
  /** Initial LayerScale value; null (default) for none, DINOv2 uses 1e-5 (keys ls1.gamma, ls2.gamma). */
  layerScale?: number | null;
}

/**
 * Pre-norm transformer block (Dosovitskiy et al. 2021): x + attn(norm1(x)), then
 * x + mlp(norm2(x)); keys as timm / DINOv2 (`norm1`, `attn.qkv`, `attn.proj`, `ls1.gamma`,
 * `norm2`, `mlp.fc1`, `mlp.fc2`, `ls2.gamma`).
 */
export class VitBlock extends Module implements TensorModule {
  readonly norm1: LayerNorm;
  readonly attn: MultiheadAttention;
  readonly ls1: LayerScale | null;
  readonly norm2: LayerNorm;
  readonly mlp: FeedForward;
  readonly ls2: LayerScale | null;

  constructor(readonly dim: number, numHeads: number, opts: VitBlockOptions = {}) {
    super();
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    const eps = opts.eps ?? 1e-6;
    this.norm1 = this.registerModule('norm1', new LayerNorm(dim, { eps, device: o.device, dtype: o.dtype }));
    this.attn = this.registerModule('attn', new MultiheadAttention(dim, numHeads, { ...o, qkvBias: opts.qkvBias }));
    this.ls1 = this.registerModule('ls1', opts.layerScale != null ? new LayerScale(dim, opts.layerScale, o) : null);
    this.norm2 = this.registerModule('norm2', new LayerNorm(dim, { eps, device: o.device, dtype: o.dtype }));
    this.mlp = this.registerModule('mlp', new FeedForward(dim, Math.round(dim * (opts.mlpRatio ?? 4)), o));
    this.ls2 = this.registerModule('ls2', opts.layerScale != null ? new LayerScale(dim, opts.layerScale, o) : null);
  }

  forward(x: Tensor): Tensor {
    let a = this.attn.forward(this.norm1.forward(x));
    if (this.ls1) a = this.ls1.forward(a);
    x = add(x, a);
    let m = this.mlp.forward(this.norm2.forward(x));
    if (this.ls2) m = this.ls2.forward(m);
    return add(x, m);
  }
}

export interface VisionTransformerOptions extends VitBlockOptions {
  imageSize: number;
  patchSize: number;
  inChannels?: number;
  embedDim: number;
  depth: number;
  numHeads: number;
}

/**
 * A ViT encoder with DINOv2's parameter names (`cls_token`, `pos_embed`, `patch_embed.proj`,
 * `blocks.<i>`, `norm`), as GAGAvatar's frozen feature encoder. `forward` returns the
 * normalised tokens (B, 1 + N, E); `patchFeatures` the patch tokens as a feature map
 * (B, E, H/p, W/p). Other input sizes interpolate the position grid bilinearly
 * (DINOv2 uses bicubic; equal at the training size).
 */
export class VisionTransformer extends Module {
  readonly clsToken: Parameter;
  readonly posEmbed: Parameter;
  readonly patchEmbed: Module & { proj: Conv2d };
  readonly blocks: ModuleList<VitBlock>;
  readonly norm: LayerNorm;
  readonly gridSize: number;

  constructor(readonly opts: VisionTransformerOptions) {
    super();
    const { imageSize, patchSize, embedDim, depth, numHeads } = opts;
    positiveInt('VisionTransformer', 'depth', depth);
    if (imageSize % patchSize !== 0) throw new HeadsplatError(`VisionTransformer: imageSize (${imageSize}) must be a multiple of patchSize, got ${patchSize}`);
    const gen = generatorOf(opts);
    const o = { device: opts.device, dtype: opts.dtype, generator: gen };
    this.gridSize = imageSize / patchSize;
    const pe = new Module() as Module & { proj: Conv2d };
    pe.proj = pe.registerModule('proj', new Conv2d(opts.inChannels ?? 3, embedDim, patchSize, { ...o, stride: patchSize }));
    this.clsToken = this.registerParameter('cls_token', Parameter.from(normal([1, 1, embedDim], 0, 1e-6, o)));
    this.posEmbed = this.registerParameter('pos_embed', Parameter.from(normal([1, 1 + this.gridSize ** 2, embedDim], 0, 0.02, o)));
    this.patchEmbed = this.registerModule('patch_embed', pe);
    this.blocks = this.registerModule('blocks', new ModuleList(Array.from({ length: depth }, () => new VitBlock(embedDim, numHeads, { ...opts, ...o }))));
    this.norm = this.registerModule('norm', new LayerNorm(embedDim, { eps: opts.eps ?? 1e-6, device: o.device, dtype: o.dtype }));
  }

  private positions(gh: number, gw: number): Tensor {
    const E = this.opts.embedDim;
    const g = this.gridSize;
    if (gh === g && gw === g) return this.posEmbed;
    const cls = this.posEmbed.narrow(1, 0, 1);
    const grid = permute(reshape(this.posEmbed.narrow(1, 1, g * g), [1, g, g, E]), [0, 3, 1, 2]);
    const resized = interpolate(grid, { size: [gh, gw], mode: 'bilinear' });
    return concat([cls, reshape(permute(resized, [0, 2, 3, 1]), [1, gh * gw, E])], 1);
  }

  forward(x: Tensor): Tensor {
    const p = this.opts.patchSize;
    if (x.rank !== 4 || x.shape[2] % p !== 0 || x.shape[3] % p !== 0) {
      throw new HeadsplatError(`VisionTransformer: input must be (B, C, H, W) with H and W multiples of ${p}, got [${x.shape.join(', ')}]`);
    }
    const B = x.shape[0];
    const f = this.patchEmbed.proj.forward(x); // (B, E, gh, gw)
    const [gh, gw] = [f.shape[2], f.shape[3]];
    const tokens = permute(flatten(f, 2), [0, 2, 1]); // (B, N, E)
    let h = add(concat([expand(this.clsToken, [B, 1, this.opts.embedDim]), tokens], 1), this.positions(gh, gw));
    for (const blk of this.blocks) h = blk.forward(h);
    return this.norm.forward(h);
  }

  /** Patch tokens of the last layer as a feature map (B, E, H/p, W/p). */
  patchFeatures(x: Tensor): Tensor {
    const p = this.opts.patchSize;
    const [B, , H, W] = x.shape;
    const t = this.forward(x).narrow(1, 1, (H / p) * (W / p));
    return reshape(permute(t, [0, 2, 1]), [B, this.opts.embedDim, H / p, W / p]);
  }
}
