import { describe, expect, it } from 'vitest';
import { conv2d, full, gradcheck, mul, noGrad, randn, reshape, rsqrt, sum, tensor, tidy, type Tensor } from '@headsplat/core';
import {
  FullyConnectedLayer, MappingNetwork, StyleGAN2Discriminator, StyleGAN2Generator, downsample2d, minibatchStd, modulatedConv2d,
  r1Penalty, upsample2d,
} from '../src/index.js';
import { expectClose } from '../../core/test/harness.js';
import { checkParamGrads } from './helpers.js';

const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number);
const f64 = { dtype: 'float64' as const };

describe('StyleGAN2 blocks', () => {
  it('equalised lr: weights stored N(0,1)/lr_mul, scaled by lr_mul/sqrt(fan_in) at run time', () => {
    const fc = new FullyConnectedLayer(4, 2, { lrMultiplier: 0.01, biasInit: 1, seed: 1 });
    const w = vals(fc.weight);
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(30); // ~100 = 1/0.01
    fc.loadStateDict({ weight: tensor([[100, 0, 0, 0], [0, 0, 0, 200]]), bias: tensor([100, 0]) });
    // y = x (w · 0.01/2)ᵀ + b · 0.01
    expectClose(vals(fc.forward(tensor([[1, 2, 3, 4]]))), [0.5 + 1, 4], 1e-6);
  });

  it('FIR up/downsampling preserves a constant image away from the border', () => {
    const up = vals(upsample2d(full([1, 2, 4, 4], 3)));
    expect(up.length).toBe(2 * 64);
    expectClose([up[2 * 8 + 2], up[3 * 8 + 4], up[64 + 5 * 8 + 5]], [3, 3, 3], 1e-6);
    const down = downsample2d(full([1, 1, 8, 8], 2));
    expect(down.shape).toEqual([1, 1, 4, 4]);
    expectClose([vals(down)[5]], [2], 1e-6);
  });

  it('modulated conv equals per-sample conv with scaled, demodulated weights, with finite-difference gradients', () => {
    const x = randn([2, 3, 5, 5], { seed: 1, ...f64 });
    const w = randn([4, 3, 3, 3], { seed: 2, ...f64 });
    const s = randn([2, 3], { seed: 3, ...f64 });
    const y = modulatedConv2d(x, w, s);
    const ref: number[] = [];
    for (let n = 0; n < 2; n++) {
      const ws = mul(w, reshape(s.narrow(0, n, 1), [1, 3, 1, 1]));
      const d = mul(ws, rsqrt(sum(mul(ws, ws), [1, 2, 3], true).add(1e-8)));
      ref.push(...vals(conv2d(x.narrow(0, n, 1), d, { padding: 1 })));
    }
    expectClose(vals(y), ref, 1e-10);
    gradcheck((x, w, s) => modulatedConv2d(x, w, s), [x, w, s]);
  });

  it('mapping network: fc0..fc7, w_avg EMA and truncation', () => {
    const m = new MappingNetwork(8, 3, 8, 5, { seed: 1 });
    // PyTorch's order: a module's own tensors, then its children's.
    expect(Object.keys(m.stateDict())).toEqual([
      'w_avg', 'embed.weight', 'embed.bias', ...Array.from({ length: 8 }, (_, i) => [`fc${i}.weight`, `fc${i}.bias`]).flat(),
    ]);
    const z = randn([6, 8], { seed: 2 });
    const c = randn([6, 3], { seed: 3 });
    const ws = m.forward(z, c);
    expect(ws.shape).toEqual([6, 5, 8]);
    const wMean = vals(ws.narrow(1, 0, 1).mean(0));
    expectClose(vals(m.getBuffer('w_avg')), wMean.map((v) => v * (1 - 0.998)), 1e-6);
    m.eval();
    const t = m.forward(z, c, { truncationPsi: 0, truncationCutoff: 2 });
    expectClose(vals(t.narrow(1, 0, 1).narrow(0, 0, 1)), vals(m.getBuffer('w_avg')), 1e-7);
    expectClose(vals(t.narrow(1, 4, 1)), vals(ws.narrow(1, 4, 1)), 1e-6);
  });

  it('generator: official key names, image shape, deterministic const noise', () => {
    const G = new StyleGAN2Generator({ zDim: 8, wDim: 8, imgResolution: 16, imgChannels: 3, channelBase: 64, channelMax: 8, mapping: { numLayers: 2 }, seed: 1 });
    const keys = Object.keys(G.stateDict());
    for (const k of ['mapping.fc1.weight', 'mapping.w_avg', 'synthesis.b4.const', 'synthesis.b4.conv1.affine.weight', 'synthesis.b4.conv1.noise_strength',
      'synthesis.b4.conv1.noise_const', 'synthesis.b8.conv0.weight', 'synthesis.b16.torgb.bias']) expect(keys).toContain(k);
    expect(G.synthesis.numWs).toBe(6);
    const z = randn([2, 8], { seed: 2 });
    const a = G.forward(z, null, { noiseMode: 'const' });
    expect(a.shape).toEqual([2, 3, 16, 16]);
    expect(vals(G.forward(z, null, { noiseMode: 'const' }))).toEqual(vals(a));
  });

  it('discriminator: minibatch std and camera-conditioned projection logits', () => {
    const x = tensor([0, 2, 1, 1], { shape: [4, 1, 1, 1] });
    // groups of 2 (sample i and i+2): std of (0,1) and (2,1) = 0.5 each
    expectClose(vals(minibatchStd(x, 2)).filter((_, i) => i % 2 === 1), [0.5, 0.5, 0.5, 0.5], 1e-4);
    const D = new StyleGAN2Discriminator({ imgResolution: 16, imgChannels: 3, cDim: 25, channelBase: 64, channelMax: 8, seed: 1 });
    const keys = Object.keys(D.stateDict());
    for (const k of ['b16.fromrgb.weight', 'b16.conv1.weight', 'b8.skip.weight', 'b4.conv.weight', 'b4.fc.weight', 'b4.out.weight', 'mapping.embed.weight', 'mapping.fc0.weight']) expect(keys).toContain(k);
    expect(D.forward(randn([4, 3, 16, 16]), randn([4, 25])).shape).toEqual([4, 1]);
  });

  it('R1 penalty: ‖∇ₓD‖² by double backward, with finite-difference gradients w.r.t. D', () => {
    const D = new StyleGAN2Discriminator({ imgResolution: 8, imgChannels: 1, channelBase: 16, channelMax: 2, mbstdGroupSize: 2, seed: 3, ...f64 });
    const real = randn([2, 1, 8, 8], { seed: 4, ...f64 });
    const r1 = r1Penalty(D, (x) => D.forward(x), real);
    // Finite differences of sum(D(x)) w.r.t. a few pixels reproduce the gradient norm's terms.
    const gx = noGrad(() => {
      const base = vals(real);
      const out: number[] = [];
      for (let i = 0; i < base.length; i++) {
        const f = (e: number): number => tidy(() => {
          const v = base.slice();
          v[i] += e;
          return sum(D.forward(tensor(Float64Array.from(v), { shape: [2, 1, 8, 8], dtype: 'float64' }))).dataSync()[0];
        });
        out.push((f(1e-6) - f(-1e-6)) / 2e-6);
      }
      return out;
    });
    expectClose(vals(r1), [gx.reduce((s, g) => s + g * g, 0) / 2], 1e-6, 1e-5);
    const params = [D.blocks[0].conv0.weight, D.parameters()[D.parameters().length - 2]];
    checkParamGrads(() => r1Penalty(D, (x) => D.forward(x), real), params, { maxPerParam: 5, atol: 1e-5, rtol: 1e-3 });
  });
});
