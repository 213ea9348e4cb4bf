/**
 * Creation ops on every backend (exact values: they are written on the host or filled),
 * dtypes, `requiresGrad`, errors; and gradchecks of functions that use them as constants
 * (a created tensor is a leaf: gradients reach it only when it requires grad).
 */
import { describe, expect, it } from 'vitest';
import {
  add, arange, eye, fromArray, full, fullLike, gradcheck, linspace, matmul, mul, ones, onesLike, rand, sum, tensor, zeros,
  zerosLike, type Tensor,
} from '../src/index.js';
import { describeBackends, expectClose, values } from './harness.js';

describeBackends('creation ops', ({ device, tol }) => {
  it('zeros, ones, full and the *Like variants fill every element with the dtype asked', async () => {
    const z = zeros([2, 3], { device });
    expect([z.shape, z.dtype, z.device]).toEqual([[2, 3], 'float32', device]);
    expect(await values(z)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await values(ones([4], { device, dtype: 'int32' }))).toEqual([1, 1, 1, 1]);
    expect(await values(full([2, 2], -2.5, { device }))).toEqual([-2.5, -2.5, -2.5, -2.5]);
    expect(await values(full([3], 1, { device, dtype: 'bool' }))).toEqual([1, 1, 1]);
    expect((await values(full([], 7, { device })))).toEqual([7]);
    expect(full([0, 3], 1, { device }).size).toBe(0);
    const like = tensor([[1, 2], [3, 4]], { device, dtype: 'int32' });
    for (const [t, v] of [[zerosLike(like), 0], [onesLike(like), 1], [fullLike(like, 9), 9]] as [Tensor, number][]) {
      expect([t.shape, t.dtype, t.device]).toEqual([[2, 2], 'int32', device]);
      expect(await values(t)).toEqual([v, v, v, v]);
    }
  });

  it('arange follows torch.arange (integer dtype for integer arguments, negative steps, empty ranges)', async () => {
    const a = arange(5, undefined, 1, { device });
    expect(a.dtype).toBe('int32');
    expect(await values(a)).toEqual([0, 1, 2, 3, 4]);
    expect(await values(arange(5, -1, -2, { device }))).toEqual([5, 3, 1]);
    const f = arange(0, 1, 0.25, { device });
    expect(f.dtype).toBe('float32');
    expect(await values(f)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(3, 3, 1, { device }).size).toBe(0);
  });

  it('linspace includes both ends; eye is the (n, m) identity', async () => {
    expectClose(await values(linspace(-1, 1, 5, { device })), [-1, -0.5, 0, 0.5, 1], tol, 0);
    expect(await values(linspace(3, 9, 1, { device }))).toEqual([3]);
    expect(await values(eye(2, 3, { device }))).toEqual([1, 0, 0, 0, 1, 0]);
    expect(await values(eye(3, undefined, { device, dtype: 'int32' }))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('tensor and fromArray take nested arrays, typed arrays and a shape', async () => {
    const n = tensor([[1, 2, 3], [4, 5, 6]], { device });
    expect(n.shape).toEqual([2, 3]);
    expect(await n.array()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const f = fromArray(new Float32Array([1, 2, 3, 4]), [2, 2], { device });
    expect(await f.array()).toEqual([[1, 2], [3, 4]]);
    expect(await tensor([true, false], { device }).array()).toEqual([true, false]);
    expect(tensor([1, 2], { device, dtype: 'uint32' }).dtype).toBe('uint32');
  });

  it('requiresGrad makes a leaf that receives the gradient', async () => {
    const w = full([2, 2], 0.5, { device, requiresGrad: true });
    const x = eye(2, 2, { device });
    sum(mul(matmul(x, w), linspace(1, 4, 4, { device }).reshape([2, 2]))).backward();
    expect(w.isLeaf && w.requiresGrad).toBe(true);
    expect(await values(w.grad!)).toEqual([1, 2, 3, 4]);
    expect(x.grad).toBeNull();
  });

  it('rejects bad shapes, dtypes and arguments, naming the op and argument', () => {
    expect(() => zeros([2, -1], { device })).toThrow(/full: shape must be/);
    expect(() => full([2], 1, { device, dtype: 'float16' as never })).toThrow(/full: options.dtype must be/);
    expect(() => arange(0, 3, 0, { device })).toThrow(/arange: step must be a finite non-zero number, got 0/);
    expect(() => linspace(0, 1, -1, { device })).toThrow(/linspace: steps must be a non-negative integer, got -1/);
    expect(() => eye(2.5, 2, { device })).toThrow(/eye: n must be a non-negative integer, got 2.5/);
    expect(() => tensor([[1, 2], [3]], { device })).toThrow(/tensor: values must be a rectangular nested array/);
    expect(() => fromArray([1, 2, 3], [2, 2], { device })).toThrow(/options.shape must be of size 3/);
    expect(() => full([2], 1, { device, dtype: 'int32', requiresGrad: true })).toThrow(/requiresGrad_: only float tensors can require grad/);
  });
});

describe('creation ops: gradcheck [cpu]', () => {
  // Created tensors enter as constants; gradients flow through the ops around them.
  const x = (): Tensor => rand([3, 3], { seed: 9, low: -1, high: 1, dtype: 'float64' });
  it('eye, linspace, full and arange as constants in a differentiable function', () => {
    const f = (t: Tensor): Tensor =>
      add(mul(matmul(t, eye(3, 3, { dtype: 'float64' })), linspace(-1, 1, 3, { dtype: 'float64' })), add(full([3, 3], 2, { dtype: 'float64' }), arange(0, 3, 1, { dtype: 'float64' })));
    expect(gradcheck(f, [x()])).toBe(true);
  });
  it('a leaf created with requiresGrad (ones) gets a gradient, the constant (zeros) none', () => {
    expect(gradcheck((a, b) => mul(add(a, b), a), [ones([2, 2], { dtype: 'float64', requiresGrad: true }), zeros([2, 2], { dtype: 'float64' })])).toBe(true);
  });
  it('linspace in float64 keeps float64 precision', async () => {
    const l = linspace(0, 0.3, 4, { dtype: 'float64' });
    expect(l.dtype).toBe('float64');
    expect(Array.from(await l.data())).toEqual([0, 0.1, 0.2, 0.3].map((_, i) => (0.3 * i) / 3));
  });
});
