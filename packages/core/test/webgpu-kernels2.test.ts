/**
 * The performance-critical WebGPU kernels (MatMul, Conv2d + backprops, Pool2d, Upsample,
 * GridSample and their backwards) against the CPU backend, the oracle, on odd shapes:
 * sizes that are not multiples of the tiles, broadcast batches, transposes, strides,
 * padding, dilation, groups, alignCorners and border padding. Kept small: CI runs them on
 * lavapipe. Tolerance: float32 sums of up to a few hundred products, |err| <= 1e-4 + 1e-4|ref|.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../src/index.js';
import { runKernel } from '../src/op.js';
import { initWebGPU } from '../src/backends/webgpu/index.js';
import type { KernelAttrs, KernelName } from '../src/kernel-names.js';
import { expectClose, requireWebGPU } from './harness.js';

let ready = false;
beforeAll(async () => {
  try {
    await initWebGPU();
    ready = true;
  } catch (e) {
    // No adapter: requireWebGPU (harness) fails each WebGPU test under CI=true, skips it elsewhere.
    console.warn(`[webgpu] skipping webgpu-kernels2 tests: ${(e as Error).message}`);
  }
}, 120_000);

/** Deterministic pseudo-random values in [-1, 1) (LCG), so failures reproduce. */
function rnd(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function cpuTensor(shape: number[], seed: number, scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(rnd(n, seed).map((v) => v * scale), { shape });
}

const ATOL = 1e-4;

/**
 * Runs kernel `name` on the CPU and on WebGPU with the same inputs and compares every
 * output (float within ATOL + ATOL*|ref|, integer outputs exactly).
 */
async function agree<N extends KernelName>(name: N, inputs: Tensor[], attrs: KernelAttrs[N], atol = ATOL): Promise<void> {
  if (!ready) return;
  const ref = runKernel(name, inputs, attrs);
  const gpuIn = await Promise.all(inputs.map((t) => t.to('webgpu')));
  const got = runKernel(name, gpuIn, attrs);
  expect(got.length).toBe(ref.length);
  for (let o = 0; o < ref.length; o++) {
    expect([...got[o].shape], `output ${o} shape`).toEqual([...ref[o].shape]);
    expect(got[o].dtype).toBe(ref[o].dtype);
    const g = await got[o].data();
    const r = await ref[o].data();
    if (ref[o].dtype === 'int32') expect(Array.from(g)).toEqual(Array.from(r));
    else expectClose(g, r, atol, atol);
  }
  for (const t of [...ref, ...got, ...gpuIn]) t.dispose();
}

describe('webgpu MatMul vs cpu', { timeout: 60_000 }, () => {
  requireWebGPU('webgpu-kernels2');
  const cases: [string, number[], number[], boolean, boolean][] = [
    ['odd sizes 37x29 @ 29x53', [37, 29], [29, 53], false, false],
    ['large tile 70x64 @ 64x136 (vec4 path)', [70, 64], [64, 136], false, false],
    ['transposeA', [29, 37], [29, 53], true, false],
    ['transposeB', [37, 29], [53, 29], false, true],
    ['both transposed', [29, 37], [53, 29], true, true],
    ['narrow output (computed transposed) 300x40 @ 40x1', [300, 40], [40, 1], false, false],
    ['narrow output with transposeB', [130, 17], [3, 17], false, true],
    ['batch broadcast (2,1,5,7) @ (3,7,9)', [2, 1, 5, 7], [3, 7, 9], false, false],
    ['batch broadcast with transposes', [3, 7, 5], [2, 1, 9, 7], true, true],
    ['K = 1', [9, 1], [1, 11], false, false],
    ['1x1', [1, 5], [5, 1], false, false],
  ];
  for (const [name, sa, sb, tA, tB] of cases) {
    it(name, async () => {
      await agree('MatMul', [cpuTensor(sa, 1), cpuTensor(sb, 2)], { transposeA: tA, transposeB: tB });
    });
  }
  it('K = 0 gives zeros', async () => {
    await agree('MatMul', [tensor(new Float32Array(0), { shape: [3, 0] }), tensor(new Float32Array(0), { shape: [0, 4] })], { transposeA: false, transposeB: false });
  });
});

describe('webgpu Conv2d and its backprops vs cpu', { timeout: 60_000 }, () => {
  requireWebGPU('webgpu-kernels2');
  type Cfg = { x: number[]; w: number[]; stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number; bias?: boolean };
  const outSize = (n: number, k: number, s: number, p: number, d: number) => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
  const cases: [string, Cfg][] = [
    ['3x3 same padding with bias', { x: [2, 3, 9, 11], w: [5, 3, 3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1, bias: true }],
    ['stride 2, asymmetric kernel', { x: [1, 4, 13, 10], w: [6, 4, 3, 2], stride: [2, 2], padding: [1, 0], dilation: [1, 1], groups: 1 }],
    ['dilation 2, stride (1, 3)', { x: [1, 2, 12, 14], w: [3, 2, 3, 3], stride: [1, 3], padding: [2, 1], dilation: [2, 2], groups: 1 }],
    ['groups 2 with bias', { x: [2, 4, 7, 7], w: [6, 2, 3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2, bias: true }],
    ['depthwise (groups = C), stride 2', { x: [1, 3, 8, 9], w: [3, 1, 3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 3 }],
    ['1x1 kernel, 40 output channels (several row tiles)', { x: [1, 5, 6, 7], w: [40, 5, 1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 }],
  ];
  for (const [name, c] of cases) {
    const attrs = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
    const ho = outSize(c.x[2], c.w[2], c.stride[0], c.padding[0], c.dilation[0]);
    const wo = outSize(c.x[3], c.w[3], c.stride[1], c.padding[1], c.dilation[1]);
    const dyShape = [c.x[0], c.w[0], ho, wo];
    it(`forward: ${name}`, async () => {
      const inputs = [cpuTensor(c.x, 3), cpuTensor(c.w, 4, 0.5)];
      if (c.bias) inputs.push(cpuTensor([c.w[0]], 5));
      await agree('Conv2d', inputs, attrs);
    });
    it(`input gradient: ${name}`, async () => {
      await agree('Conv2dBackpropInput', [cpuTensor(dyShape, 6), cpuTensor(c.w, 4, 0.5)], { ...attrs, inputShape: c.x as [number, number, number, number] });
    });
    it(`filter gradient: ${name}`, async () => {
      await agree('Conv2dBackpropFilter', [cpuTensor(c.x, 3), cpuTensor(dyShape, 6)], { ...attrs, filterShape: c.w as [number, number, number, number] });
    });
  }
});

describe('webgpu Pool2d and Pool2dBackward vs cpu', { timeout: 60_000 }, () => {
  requireWebGPU('webgpu-kernels2');
  type PoolCase = [string, number[], KernelAttrs['Pool2d']];
  const cases: PoolCase[] = [
    ['max 3x3 stride 2 padding 1', [2, 3, 9, 8], { kind: 'max', kernel: [3, 3], stride: [2, 2], padding: [1, 1], countIncludePad: true }],
    ['max 2x3 stride (1, 2), no padding', [1, 2, 7, 10], { kind: 'max', kernel: [2, 3], stride: [1, 2], padding: [0, 0], countIncludePad: true }],
    ['avg 3x3 stride 2 padding 1, countIncludePad', [2, 3, 9, 8], { kind: 'avg', kernel: [3, 3], stride: [2, 2], padding: [1, 1], countIncludePad: true }],
    ['avg 3x2 stride 1 padding 1, excluding padding', [1, 2, 6, 7], { kind: 'avg', kernel: [3, 2], stride: [1, 1], padding: [1, 1], countIncludePad: false }],
    ['avg overlapping windows 4x4 stride 3 padding 2', [1, 1, 11, 13], { kind: 'avg', kernel: [4, 4], stride: [3, 3], padding: [2, 2], countIncludePad: false }],
  ];
  for (const [name, shape, a] of cases) {
    it(`forward: ${name}`, async () => {
      await agree('Pool2d', [cpuTensor(shape, 7)], a);
    });
    it(`backward: ${name}`, async () => {
      const x = cpuTensor(shape, 7);
      const fwd = runKernel('Pool2d', [x], a);
      const dy = cpuTensor([...fwd[0].shape], 8);
      const inputs = a.kind === 'max' ? [dy, fwd[1]] : [dy];
      await agree('Pool2dBackward', inputs, { ...a, inputShape: shape as [number, number, number, number] });
    });
  }
  it('max propagates NaN and reports its index', async () => {
    const v = rnd(16, 9);
    v[5] = NaN;
    await agree('Pool2d', [tensor(v, { shape: [1, 1, 4, 4] })], { kind: 'max', kernel: [2, 2], stride: [2, 2], padding: [0, 0], countIncludePad: true });
  });
});

describe('webgpu Upsample and UpsampleBackward vs cpu', { timeout: 60_000 }, () => {
  requireWebGPU('webgpu-kernels2');
  const cases: [string, number[], [number, number], 'nearest' | 'bilinear', boolean][] = [
    ['nearest x2', [2, 3, 4, 5], [8, 10], 'nearest', false],
    ['nearest to a non-integer ratio (7x5 -> 10x12)', [1, 2, 7, 5], [10, 12], 'nearest', false],
    ['nearest downsample (9x9 -> 4x5)', [1, 1, 9, 9], [4, 5], 'nearest', false],
    ['bilinear x2', [2, 2, 4, 5], [8, 10], 'bilinear', false],
    ['bilinear alignCorners 5x4 -> 9x11', [1, 3, 5, 4], [9, 11], 'bilinear', true],
    ['bilinear downsample 9x10 -> 4x3', [1, 2, 9, 10], [4, 3], 'bilinear', false],
    ['bilinear alignCorners to a single row', [1, 1, 5, 6], [1, 4], 'bilinear', true],
  ];
  for (const [name, shape, size, mode, alignCorners] of cases) {
    it(`forward: ${name}`, async () => {
      await agree('Upsample', [cpuTensor(shape, 10)], { mode, size, alignCorners });
    });
    it(`backward: ${name}`, async () => {
      await agree('UpsampleBackward', [cpuTensor([shape[0], shape[1], ...size], 11)], { mode, inputShape: shape as [number, number, number, number], alignCorners });
    });
  }
});

describe('webgpu GridSample and GridSampleBackward vs cpu', { timeout: 60_000 }, () => {
  requireWebGPU('webgpu-kernels2');
  // Grids reaching past [-1, 1] exercise the padding modes.
  const cases: [string, number[], number[], boolean, 'zeros' | 'border'][] = [
    ['zeros padding', [2, 3, 6, 7], [2, 5, 4, 2], false, 'zeros'],
    ['zeros padding, alignCorners', [1, 2, 5, 8], [1, 3, 6, 2], true, 'zeros'],
    ['border padding', [2, 2, 7, 5], [2, 4, 5, 2], false, 'border'],
    ['border padding, alignCorners', [1, 3, 4, 4], [1, 6, 3, 2], true, 'border'],
  ];
  for (const [name, xs, gs, alignCorners, padding] of cases) {
    it(`forward: ${name}`, async () => {
      await agree('GridSample', [cpuTensor(xs, 12), cpuTensor(gs, 13, 1.3)], { alignCorners, padding });
    });
    it(`backward (dx with atomics, dgrid): ${name}`, async () => {
      const dy = cpuTensor([xs[0], xs[1], gs[1], gs[2]], 14);
      await agree('GridSampleBackward', [cpuTensor(xs, 12), cpuTensor(gs, 13, 1.3), dy], { alignCorners, padding });
    });
  }
  it('many samples on one pixel accumulate (atomic adds)', async () => {
    const grid = new Float32Array(2 * 64).fill(0.1);
    await agree('GridSampleBackward', [cpuTensor([1, 2, 3, 3], 15), tensor(grid, { shape: [1, 8, 8, 2] }), cpuTensor([1, 2, 8, 8], 16)], { alignCorners: false, padding: 'zeros' });
  });
});
