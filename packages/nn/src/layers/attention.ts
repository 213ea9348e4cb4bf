import { HeadsplatError, add, matmul, mul, permute, reshape, softmax, type Tensor } from '@headsplat/core';
import { generatorOf, type InitOptions } from '../init.js';
import { Module, type TensorModule } from '../module.js';
import { Linear } from './linear.js';
import { positiveInt } from './check.js';

export interface AttentionOptions extends InitOptions {
  /** Bias of the fused qkv projection. Default true (ViT / DINOv2). */
  qkvBias?: boolean;
}

/**
 * Multi-head self-attention (Vaswani et al. 2017) with a fused qkv projection, in the
 * layout of timm's / DINOv2's `Attention` (keys `qkv.weight`, `qkv.bias`, `proj.weight`,
 * `proj.bias`): softmax(q kᵀ / √d_head) v per head, then the output projection.
 * x: (B, N, E) -> (B, N, E). An optional additive mask broadcasts to (B, heads, N, N).
 */
export class MultiheadAttention extends Module implements TensorModule {
  readonly qkv: Linear;
  readonly proj: Linear;
  readonly headDim: number;

  constructor(readonly embedDim: number, readonly numHeads: number, opts: AttentionOptions = {}) {
    super();
    positiveInt('MultiheadAttention', 'embedDim', embedDim);
    positiveInt('MultiheadAttention', 'numHeads', numHeads);
    if (embedDim % numHeads !== 0) throw new HeadsplatError(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads, got ${numHeads}`);
    this.headDim = embedDim / numHeads;
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    this.qkv = this.registerModule('qkv', new Linear(embedDim, 3 * embedDim, { ...o, bias: opts.qkvBias ?? true }));
    this.proj = this.registerModule('proj', new Linear(embedDim, embedDim, o));
  }

  forward(x: Tensor, mask?: Tensor): Tensor {
    if (x.rank !== 3 || x.shape[2] !== this.embedDim) {
      throw new HeadsplatError(`MultiheadAttention: input must have shape (B, N, ${this.embedDim}), got [${x.shape.join(', ')}]`);
    }
    const [B, N] = x.shape;
    const H = this.numHeads;
    const D = this.headDim;
    // (B, N, 3, H, D) -> (3, B, H, N, D)
    const qkv = permute(reshape(this.qkv.forward(x), [B, N, 3, H, D]), [2, 0, 3, 1, 4]);
    const part = (i: number): Tensor => reshape(qkv.narrow(0, i, 1), [B, H, N, D]);
    const q = mul(part(0), 1 / Math.sqrt(D));
    let scores = matmul(q, part(1), { transposeB: true });
    if (mask) scores = add(scores, mask);
    const out = matmul(softmax(scores, -1), part(2)); // (B, H, N, D)
    return this.proj.forward(reshape(permute(out, [0, 2, 1, 3]), [B, N, this.embedDim]));
  }
}
