import { describe, expect, it } from 'vitest';
import { randn, tensor, type Tensor } from '@headsplat/core';
import { MultiheadAttention, VisionTransformer, VitBlock } from '../src/index.js';
import { expectClose } from '../../core/test/harness.js';
import { checkParamGrads } from './helpers.js';

const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number);
const f64 = { dtype: 'float64' as const };

/** Attention by explicit loops from the layer's own weights. */
function attentionReference(m: MultiheadAttention, x: number[], B: number, N: number): number[] {
  const E = m.embedDim, H = m.numHeads, D = m.headDim;
  const W = vals(m.qkv.weight), b = vals(m.qkv.bias!), P = vals(m.proj.weight), pb = vals(m.proj.bias!);
  const out: number[] = [];
  for (let bi = 0; bi < B; bi++) {
    const qkv = Array.from({ length: N }, (_, n) => Array.from({ length: 3 * E }, (_, o) => {
      let s = b[o];
      for (let i = 0; i < E; i++) s += W[o * E + i] * x[(bi * N + n) * E + i];
      return s;
    }));
    const ctx = Array.from({ length: N }, () => new Array<number>(E).fill(0));
    for (let h = 0; h < H; h++) {
      for (let n = 0; n < N; n++) {
        const sc = Array.from({ length: N }, (_, m2) => {
          let s = 0;
          for (let d = 0; d < D; d++) s += qkv[n][h * D + d] * qkv[m2][E + h * D + d];
          return s / Math.sqrt(D);
        });
        const mx = Math.max(...sc);
        const e = sc.map((s) => Math.exp(s - mx));
        const z = e.reduce((a, c) => a + c, 0);
        for (let m2 = 0; m2 < N; m2++) for (let d = 0; d < D; d++) ctx[n][h * D + d] += (e[m2] / z) * qkv[m2][2 * E + h * D + d];
      }
    }
    for (let n = 0; n < N; n++) for (let o = 0; o < E; o++) {
      let s = pb[o];
      for (let i = 0; i < E; i++) s += P[o * E + i] * ctx[n][i];
      out.push(s);
    }
  }
  return out;
}

describe('attention and ViT', () => {
  it('multi-head attention matches an explicit-loop reference', () => {
    const m = new MultiheadAttention(8, 2, { seed: 1 });
    const x = randn([2, 3, 8], { seed: 2 });
    expectClose(vals(m.forward(x)), attentionReference(m, vals(x), 2, 3), 1e-5);
    expect(() => m.forward(randn([2, 3, 4]))).toThrow('MultiheadAttention: input must have shape (B, N, 8), got [2, 3, 4]');
  });

  it('a pre-norm ViT block has DINOv2 key names and finite-difference gradients', () => {
    const blk = new VitBlock(4, 2, { seed: 3, layerScale: 0.5, ...f64 });
    expect(Object.keys(blk.stateDict())).toEqual([
      'norm1.weight', 'norm1.bias', 'attn.qkv.weight', 'attn.qkv.bias', 'attn.proj.weight', 'attn.proj.bias', 'ls1.gamma',
      'norm2.weight', 'norm2.bias', 'mlp.fc1.weight', 'mlp.fc1.bias', 'mlp.fc2.weight', 'mlp.fc2.bias', 'ls2.gamma',
    ]);
    expect(blk.mlp.fc1.weight.shape).toEqual([16, 4]);
    const x = randn([1, 3, 4], { seed: 4, ...f64 });
    checkParamGrads(() => blk.forward(x), blk.parameters(), { maxPerParam: 6 });
  });

  it('a ViT encoder returns tokens and a patch feature map, at other sizes too', () => {
    const vit = new VisionTransformer({ imageSize: 8, patchSize: 4, embedDim: 8, depth: 2, numHeads: 2, seed: 1 });
    expect(vit.posEmbed.shape).toEqual([1, 5, 8]);
    expect(Object.keys(vit.stateDict()).slice(0, 4)).toEqual(['cls_token', 'pos_embed', 'patch_embed.proj.weight', 'patch_embed.proj.bias']);
    const img = randn([2, 3, 8, 8], { seed: 2 });
    expect(vit.forward(img).shape).toEqual([2, 5, 8]);
    expect(vit.patchFeatures(img).shape).toEqual([2, 8, 2, 2]);
    expect(vit.patchFeatures(randn([1, 3, 12, 8])).shape).toEqual([1, 8, 3, 2]);
    expect(tensor(vals(vit.forward(img))).shape).toEqual([80]);
  });
});
