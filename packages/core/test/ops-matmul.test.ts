import { describe, expect, it } from 'vitest';
import { bmm, linear, matmul, mul, rand, tensor, zeros, type Tensor } from '../src/index.js';
import { gradcheck } from '../src/gradcheck.js';
import { describeBackends, expectClose, values } from './harness.js';

/** Reference: C[b] = op(A[b]) op(B[b]) on row-major arrays, one batch. */
function refMatmul(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number, tA = false, tB = false, aOff = 0, bOff = 0): number[] {
  const c: number[] = [];
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[aOff + (tA ? k * M + i : i * K + k)] * b[bOff + (tB ? j * K + k : k * N + j)];
      c.push(s);
    }
  }
  return c;
}

const r = (shape: number[], seed: number, device: 'cpu' | 'webgpu' = 'cpu', dtype: 'float32' | 'float64' = 'float32'): Tensor =>
  rand(shape, { seed, device, dtype, low: -1, high: 1 });

describeBackends('matmul', ({ device, tol }) => {
  it('multiplies 2-D matrices like a naive triple loop, small and packed paths', async () => {
    for (const [M, K, N] of [[3, 4, 5], [37, 53, 29], [64, 300, 70]]) {
      const a = r([M, K], 1, device);
      const b = r([K, N], 2, device);
      const want = refMatmul(await values(a), await values(b), M, K, N);
      const c = matmul(a, b);
      expect(c.shape).toEqual([M, N]);
      // float32 inputs, double accumulation on the CPU: error ~ K * 2^-24.
      expectClose(await values(c), want, 1e-5 * K, 1e-5);
    }
  });

  it('honours transposeA / transposeB without copying the operands', async () => {
    const [M, K, N] = [33, 41, 35];
    for (const [tA, tB] of [[false, true], [true, false], [true, true]]) {
      const a = r(tA ? [K, M] : [M, K], 3, device);
      const b = r(tB ? [N, K] : [K, N], 4, device);
      const want = refMatmul(await values(a), await values(b), M, K, N, tA, tB);
      const c = matmul(a, b, { transposeA: tA, transposeB: tB });
      expect(c.shape).toEqual([M, N]);
      expectClose(await values(c), want, 1e-4, 1e-5);
    }
  });

  it('broadcasts batch dimensions like torch.matmul', async () => {
    const a = r([2, 1, 5, 6], 5, device);
    const b = r([3, 6, 4], 6, device);
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 3, 5, 4]);
    const av = await values(a);
    const bv = await values(b);
    const want: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) want.push(...refMatmul(av, bv, 5, 6, 4, false, false, i * 30, j * 24));
    expectClose(await values(c), want, tol * 10, tol * 10);
  });

  it('treats 1-D arguments as vectors and removes their unit dimension', async () => {
    const v = tensor([1, 2, 3], { device });
    const m = tensor([[1, 0, 2], [0, 1, -1]], { device });
    const dot = matmul(v, v);
    expect(dot.shape).toEqual([]);
    expect(await values(dot)).toEqual([14]);
    const mv = matmul(m, v);
    expect(mv.shape).toEqual([2]);
    expect(await values(mv)).toEqual([7, -1]);
    const vm = matmul(tensor([1, 2], { device }), m);
    expect(vm.shape).toEqual([3]);
    expect(await values(vm)).toEqual([1, 2, 0]);
    const batched = matmul(v, tensor([[[1], [1], [1]], [[0], [1], [0]]], { device }));
    expect(batched.shape).toEqual([2, 1]);
    expect(await values(batched)).toEqual([6, 2]);
  });

  it('bmm multiplies matching batches', async () => {
    const a = r([3, 4, 5], 7, device);
    const b = r([3, 5, 2], 8, device);
    const av = await values(a);
    const bv = await values(b);
    const want: number[] = [];
    for (let i = 0; i < 3; i++) want.push(...refMatmul(av, bv, 4, 5, 2, false, false, i * 20, i * 10));
    expectClose(await values(bmm(a, b)), want, tol * 10, tol * 10);
  });

  it('linear computes x wᵀ + b with (out, in) weights over leading dims', async () => {
    const x = r([2, 3, 4], 9, device);
    const w = r([5, 4], 10, device);
    const bias = r([5], 11, device);
    const y = linear(x, w, bias);
    expect(y.shape).toEqual([2, 3, 5]);
    const xv = await values(x);
    const bv = await values(bias);
    const want = refMatmul(xv, await values(w), 6, 4, 5, false, true).map((v, i) => v + bv[i % 5]);
    expectClose(await values(y), want, tol * 10, tol * 10);
    expect(linear(r([4], 12, device), w).shape).toEqual([5]);
  });

  it('computes gradients that agree with the CPU oracle', async () => {
    const a = r([2, 3, 4], 13, device).requiresGrad_();
    const b = r([4, 5], 14, device).requiresGrad_();
    const g = r([2, 3, 5], 15, device);
    matmul(a, b).backward(g);
    const [av, bv, gv] = [await values(a), await values(b), await values(g)];
    // dA[p] = G[p] Bᵀ, dB = Σ_p A[p]ᵀ G[p]
    const da: number[] = [];
    const db = new Array<number>(20).fill(0);
    for (let p = 0; p < 2; p++) {
      da.push(...refMatmul(gv, bv, 3, 5, 4, false, true, p * 15, 0));
      refMatmul(av, gv, 4, 3, 5, true, false, p * 12, p * 15).forEach((v, i) => (db[i] += v));
    }
    expectClose(await values(a.grad!), da, tol * 10, tol * 10);
    expectClose(await values(b.grad!), db, tol * 10, tol * 10);
  });

  it('rejects mismatched inner dimensions naming both shapes', () => {
    const a = zeros([2, 3], { device });
    expect(() => matmul(a, zeros([4, 2], { device }))).toThrow(/matmul: .*shape=\[2, 3\].*shape=\[4, 2\]/);
    expect(() => matmul(a, zeros([2, 3, 2], { device, dtype: 'int32' }))).toThrow(/float/);
    expect(() => bmm(zeros([2, 2, 3], { device }), zeros([3, 3, 2], { device }))).toThrow(/bmm: .*equal B and K/);
    expect(() => linear(zeros([2, 3], { device }), zeros([4, 2], { device }))).toThrow(/linear: w must have shape \[out_features, 3\]/);
    expect(() => matmul(zeros([2, 2, 3], { device }), zeros([3, 3, 2], { device }))).toThrow(/broadcast/);
  });
});

describe('matmul gradients, float64 finite differences [cpu]', () => {
  const r64 = (shape: number[], seed: number) => r(shape, seed, 'cpu', 'float64').requiresGrad_();
  it('plain, transposed and broadcast batched products', () => {
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]]) {
      const a = r64(tA ? [2, 4, 3] : [2, 3, 4], 20);
      const b = r64(tB ? [5, 4] : [4, 5], 21);
      expect(gradcheck((x, y) => matmul(x, y, { transposeA: tA, transposeB: tB }), [a, b])).toBe(true);
    }
    expect(gradcheck((x, y) => matmul(x, y), [r64([3, 1, 2, 3], 22), r64([2, 3, 2], 23)])).toBe(true);
  });

  it('vector cases, bmm and linear with bias', () => {
    expect(gradcheck((x, y) => matmul(x, y), [r64([3], 24), r64([3], 25)])).toBe(true);
    expect(gradcheck((x, y) => matmul(x, y), [r64([3], 26), r64([2, 3, 4], 27)])).toBe(true);
    expect(gradcheck((x, y) => matmul(x, y), [r64([2, 4, 3], 28), r64([3], 29)])).toBe(true);
    expect(gradcheck((x, y) => bmm(x, y), [r64([2, 3, 4], 30), r64([2, 4, 2], 31)])).toBe(true);
    expect(gradcheck((x, w, b) => linear(x, w, b), [r64([2, 3, 4], 32), r64([5, 4], 33), r64([5], 34)])).toBe(true);
  });

  it('a packed-path product (above the small-matrix cut-off)', () => {
    expect(gradcheck((x, y) => matmul(x, y), [r64([36, 33], 35), r64([33, 30], 36)])).toBe(true);
  });

  it('supports double backward (the gradient is itself a matmul)', () => {
    const a = r64([3, 4], 37);
    const b0 = r64([4, 2], 38);
    const b = mul(b0, 1); // a non-leaf: saved aliases of leaves do not carry grads to them (see report)
    const w = r([3, 2], 39, 'cpu', 'float64');
    const v = r([3, 4], 40, 'cpu', 'float64');
    matmul(a, b).backward(w, { createGraph: true });
    const firstB = Array.from(b0.grad!.dataSync()); // aᵀ w
    // a.grad = w bᵀ; backpropagating v through it adds vᵀ w to b0.grad.
    a.grad!.backward(v);
    const vtw = refMatmul(v.dataSync(), w.dataSync(), 4, 3, 2, true, false);
    expectClose(b0.grad!.dataSync(), firstB.map((x, i) => x + vtw[i]), 1e-12, 1e-12);
  });
});
