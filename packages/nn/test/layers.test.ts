import { describe, expect, it } from 'vitest';
import { gradcheck, randn, sum, tensor, type Tensor } from '@headsplat/core';
import {
  BatchNorm2d, Conv2d, ConvTranspose2d, Dropout, Embedding, GroupNorm, LayerNorm, Linear, MLP, PositionalEncoding, init,
} from '../src/index.js';
import { expectClose } from '../../core/test/harness.js';
import { checkParamGrads } from './helpers.js';

const f64 = { dtype: 'float64' as const };
const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number);

describe('Linear', () => {
  it('computes x Wᵀ + b', () => {
    const lin = new Linear(2, 2);
    lin.loadStateDict({ weight: tensor([[1, 2], [3, 4]]), bias: tensor([0.5, -1]) });
    expect(vals(lin.forward(tensor([[1, 1], [2, -1]])))).toEqual([3.5, 6, 0.5, 1]);
  });

  it('uses PyTorch default init bounds 1/sqrt(fan_in) and is seeded', () => {
    const a = new Linear(16, 32, { seed: 3 });
    const b = new Linear(16, 32, { seed: 3 });
    expect(vals(a.weight)).toEqual(vals(b.weight));
    const w = vals(a.weight);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.2);
    expect(vals(a.bias!)).not.toEqual(w.slice(0, 32)); // weight and bias draw different numbers
  });

  it('names the layer, expected and actual shape on bad input', () => {
    expect(() => new Linear(3, 2).forward(tensor([[1, 2]]))).toThrow("Linear: input's last dimension must be 3, got shape [1, 2]");
  });

  it('has finite-difference gradients', () => {
    const lin = new Linear(3, 2, { seed: 1, ...f64 });
    const x = randn([4, 3], { seed: 2, ...f64 });
    checkParamGrads(() => lin.forward(x), lin.parameters());
  });
});

describe('Conv2d / ConvTranspose2d', () => {
  it('matches a hand-computed 2x2 convolution', () => {
    const conv = new Conv2d(1, 1, 2);
    conv.loadStateDict({ weight: tensor([[[[1, 0], [0, -1]]]]), bias: tensor([1]) });
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [1, 1, 3, 3] });
    // y[i,j] = x[i,j] - x[i+1,j+1] + 1 = -4 + 1
    expect(vals(conv.forward(x))).toEqual([-3, -3, -3, -3]);
  });

  it('has PyTorch weight layouts', () => {
    expect(new Conv2d(4, 6, 3, { groups: 2 }).weight.shape).toEqual([6, 2, 3, 3]);
    const ct = new ConvTranspose2d(4, 6, 4, { stride: 2, padding: 1, groups: 2 });
    expect(ct.weight.shape).toEqual([4, 3, 4, 4]);
    expect(ct.forward(randn([1, 4, 5, 5])).shape).toEqual([1, 6, 10, 10]);
  });

  it('has finite-difference gradients', () => {
    const conv = new Conv2d(2, 3, 3, { padding: 1, stride: 2, seed: 1, ...f64 });
    const x = randn([1, 2, 5, 5], { seed: 2, ...f64 });
    checkParamGrads(() => conv.forward(x), conv.parameters());
    const ct = new ConvTranspose2d(2, 2, 3, { stride: 2, padding: 1, outputPadding: 1, seed: 1, ...f64 });
    checkParamGrads(() => ct.forward(x), ct.parameters());
  });
});

describe('normalisation layers', () => {
  it('LayerNorm normalises the last dims and matches finite differences', () => {
    const ln = new LayerNorm(4, f64);
    const y = ln.forward(tensor([[1, 2, 3, 4]], f64));
    const s = Math.sqrt(1.25 + 1e-5);
    expectClose(vals(y), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], 1e-12);
    ln.loadStateDict({ weight: randn([4], { seed: 5, ...f64 }), bias: randn([4], { seed: 6, ...f64 }) });
    const x = randn([3, 4], { seed: 1, ...f64 });
    checkParamGrads(() => ln.forward(x), ln.parameters());
    gradcheck((x) => ln.forward(x), [x]);
  });

  it('GroupNorm matches finite differences', () => {
    const gn = new GroupNorm(2, 4, f64);
    gn.loadStateDict({ weight: randn([4], { seed: 5, ...f64 }), bias: randn([4], { seed: 6, ...f64 }) });
    const x = randn([2, 4, 3, 2], { seed: 1, ...f64 });
    checkParamGrads(() => gn.forward(x), gn.parameters());
    gradcheck((x) => gn.forward(x), [x]);
  });

  it('BatchNorm2d tracks running stats with momentum 0.1 and uses them in eval', () => {
    const bn = new BatchNorm2d(1);
    const x = tensor([1, 2, 3, 4], { shape: [2, 1, 1, 2] });
    const y = bn.forward(x);
    const s = Math.sqrt(1.25 + 1e-5);
    expectClose(vals(y), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], 1e-6);
    expectClose(vals(bn.getBuffer('running_mean')), [0.25], 1e-7); // 0.9*0 + 0.1*2.5
    expectClose(vals(bn.getBuffer('running_var')), [0.9 + 0.1 * (5 / 3)], 1e-6); // unbiased var 5/3
    expect(vals(bn.getBuffer('num_batches_tracked'))).toEqual([1]);
    bn.eval();
    const ye = bn.forward(tensor([0.25], { shape: [1, 1, 1, 1] }));
    expectClose(vals(ye), [0], 1e-7);
    expect(vals(bn.getBuffer('num_batches_tracked'))).toEqual([1]);
  });

  it('BatchNorm2d training forward matches finite differences', () => {
    const bn = new BatchNorm2d(3, f64);
    bn.loadStateDict({ ...bn.stateDict(), weight: randn([3], { seed: 5, ...f64 }), bias: randn([3], { seed: 6, ...f64 }) });
    const x = randn([2, 3, 2, 2], { seed: 1, ...f64 });
    checkParamGrads(() => bn.forward(x), bn.parameters());
    gradcheck((x) => bn.forward(x), [x]);
  });
});

describe('Dropout, Embedding, init', () => {
  it('Dropout zeroes about p of the elements, rescales the rest, is seeded, and is the identity in eval', () => {
    const x = tensor(new Float32Array(4000).fill(1));
    const a = vals(new Dropout(0.25, { seed: 9 }).forward(x));
    const b = vals(new Dropout(0.25, { seed: 9 }).forward(x));
    expect(a).toEqual(b);
    const zeros = a.filter((v) => v === 0).length / a.length;
    expect(zeros).toBeGreaterThan(0.22);
    expect(zeros).toBeLessThan(0.28);
    expect(a.filter((v) => v !== 0).every((v) => Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
    const d = new Dropout(0.5).eval();
    expect(d.forward(x)).toBe(x);
  });

  it('Embedding looks rows up', () => {
    const e = new Embedding(3, 2);
    e.loadStateDict({ weight: tensor([[0, 1], [2, 3], [4, 5]]) });
    expect(vals(e.forward(tensor(Int32Array.from([2, 0]))))).toEqual([4, 5, 0, 1]);
  });

  it('kaiming/xavier follow PyTorch fans and gains', () => {
    expect(init.calculateFans([8, 4, 3, 3])).toEqual({ fanIn: 36, fanOut: 72 });
    expect(init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 12);
    const w = vals(init.kaimingNormal([256, 512], { seed: 1, nonlinearity: 'relu' }));
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 512), 3);
    const u = vals(init.xavierUniform([100, 300], { seed: 1 }));
    expect(Math.max(...u.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 400));
  });
});

describe('MLP and positional encoding', () => {
  it('MLP concatenates the input at skip layers and names layers.<i>', () => {
    const mlp = new MLP({ inFeatures: 3, hidden: [8, 8, 8], outFeatures: 1, skips: [2], seed: 0 });
    expect(Object.keys(mlp.stateDict())).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.2.weight', 'layers.2.bias', 'layers.3.weight', 'layers.3.bias']);
    expect(mlp.layers.at(2).weight.shape).toEqual([8, 11]);
    expect(mlp.forward(randn([5, 3])).shape).toEqual([5, 1]);
  });

  it('geometric init starts near the SDF of a sphere', () => {
    const mlp = new MLP({ inFeatures: 3, hidden: [128, 128, 128], outFeatures: 1, activation: 'softplus', activationOptions: { beta: 100 }, init: 'geometric', geometricRadius: 0.5, seed: 1 });
    const pts = tensor([[0, 0, 0], [1, 0, 0], [0, 0.5, 0], [0, 0, -1.5]]);
    const d = vals(mlp.forward(pts));
    expectClose(d, [-0.5, 0.5, 0, 1], 0.15);
  });

  it('zero init gives a zero output', () => {
    const mlp = new MLP({ inFeatures: 2, hidden: [4], outFeatures: 3, init: 'zero', seed: 1 });
    expect(vals(mlp.forward(randn([2, 2])))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('PositionalEncoding follows the NeRF code layout [x, sin f0x, cos f0x, sin f1x, ...]', () => {
    const pe = new PositionalEncoding({ inputDims: 2, numFrequencies: 2 });
    expect(pe.outDims).toBe(10);
    const y = vals(pe.forward(tensor([[0.5, -1]])));
    expectClose(y, [0.5, -1, Math.sin(0.5), Math.sin(-1), Math.cos(0.5), Math.cos(-1), Math.sin(1), Math.sin(-2), Math.cos(1), Math.cos(-2)], 1e-6);
    const noInput = new PositionalEncoding({ inputDims: 3, numFrequencies: 4, includeInput: false, pi: true });
    expect(noInput.outDims).toBe(24);
    expectClose(vals(noInput.forward(tensor([[0.25, 0, 0]]))).slice(0, 1), [Math.sin(Math.PI / 4)], 1e-6);
    expect(sum(pe.forward(randn([4, 7, 2]))).shape).toEqual([]);
  });
});
