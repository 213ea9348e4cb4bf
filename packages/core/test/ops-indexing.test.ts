import { describe, expect, it } from 'vitest';
import {
  cast, embedding, float, gather, gradcheck, gt, indexAdd, indexSelect, int, maskedSelect, mul, nonzero, rand, scatterAdd, sum,
  take, tensor, type Tensor,
} from '../src/index.js';
import { describeBackends, values } from './harness.js';

const i32 = (v: number[] | number[][], device: 'cpu' | 'webgpu'): Tensor => tensor(v, { dtype: 'int32', device });

describeBackends('indexing ops', ({ device }) => {
  it('indexSelect picks rows along any axis (repeats allowed); the gradient accumulates repeats', async () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { device, requiresGrad: true });
    expect(await values(indexSelect(x, 1, i32([2, 0, 2], device)))).toEqual([3, 1, 3, 6, 4, 6]);
    const y = indexSelect(x, 0, i32([1, 1, 0], device));
    expect(y.shape).toEqual([3, 3]);
    expect(await values(y)).toEqual([4, 5, 6, 4, 5, 6, 1, 2, 3]);
    sum(y).backward();
    expect(await values(x.grad!)).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('indexAdd adds source rows onto x (torch.index_add), repeated indices accumulate', async () => {
    const x = tensor([[0, 0], [1, 1], [2, 2]], { device, requiresGrad: true });
    const src = tensor([[1, 2], [3, 4], [5, 6]], { device, requiresGrad: true });
    const y = indexAdd(x, 0, i32([2, 0, 2], device), src);
    expect(await values(y)).toEqual([3, 4, 1, 1, 8, 10]);
    sum(mul(y, tensor([[1, 1], [0, 0], [10, 10]], { device }))).backward();
    expect(await values(x.grad!)).toEqual([1, 1, 0, 0, 10, 10]);
    expect(await values(src.grad!)).toEqual([10, 10, 1, 1, 10, 10]);
  });

  it('gather matches torch.gather on both axes, with an index smaller than x', async () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { device });
    // torch.gather(x, 1, [[2, 0], [1, 1]]) = [[3, 1], [5, 5]]
    expect(await values(gather(x, 1, i32([[2, 0], [1, 1]], device)))).toEqual([3, 1, 5, 5]);
    // torch.gather(x, 0, [[1, 0, 1]]) = [[4, 2, 6]]
    expect(await values(gather(x, 0, i32([[1, 0, 1]], device)))).toEqual([4, 2, 6]);
  });

  it('scatterAdd matches torch.scatter_add and is differentiable in x and src', async () => {
    const x = tensor([[0, 0, 0], [0, 0, 0]], { device, requiresGrad: true });
    const src = tensor([[1, 2, 3], [4, 5, 6]], { device, requiresGrad: true });
    const y = scatterAdd(x, 1, i32([[0, 0, 2], [1, 2, 1]], device), src);
    expect(await values(y)).toEqual([3, 0, 3, 0, 10, 5]);
    sum(mul(y, tensor([[1, 2, 3], [4, 5, 6]], { device }))).backward();
    expect(await values(x.grad!)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await values(src.grad!)).toEqual([1, 1, 3, 5, 6, 5]);
  });

  it('embedding looks up rows for ids of any shape; take reads flat indices', async () => {
    const w = tensor([[0, 1], [10, 11], [20, 21]], { device, requiresGrad: true });
    const e = embedding(w, i32([[2, 0], [1, 2]], device));
    expect(e.shape).toEqual([2, 2, 2]);
    expect(await values(e)).toEqual([20, 21, 0, 1, 10, 11, 20, 21]);
    sum(e).backward();
    expect(await values(w.grad!)).toEqual([1, 1, 1, 1, 2, 2]);
    const t = take(tensor([[5, 6], [7, 8]], { device }), i32([[3], [0]], device));
    expect(t.shape).toEqual([2, 1]);
    expect(await values(t)).toEqual([8, 5]);
  });

  it('nonzero and maskedSelect read the mask back and select in row-major order', async () => {
    const x = tensor([[1, -2], [3, -4]], { device, requiresGrad: true });
    const mask = gt(x, 0);
    expect(await values(await nonzero(mask))).toEqual([0, 2]);
    const s = await maskedSelect(x, mask);
    expect(await values(s)).toEqual([1, 3]);
    sum(s).backward();
    expect(await values(x.grad!)).toEqual([1, 0, 1, 0]);
  });

  it('cast converts dtypes (truncating toward zero) and carries the gradient between floats only', async () => {
    const x = tensor([-1.7, 0.2, 2.9], { device, requiresGrad: true });
    const i = int(x);
    expect(i.dtype).toBe('int32');
    expect(await values(i)).toEqual([-1, 0, 2]);
    expect(i.requiresGrad).toBe(false);
    expect(await values(cast(x, 'bool'))).toEqual([1, 1, 1]);
    expect(await values(float(i32([3, -4], device)))).toEqual([3, -4]);
    expect(x.int().dtype).toBe('int32');
  });

  it('errors: dtype of indices, rank, shapes; out-of-range indices on the CPU name the op and index', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { device });
    expect(() => indexSelect(x, 0, tensor([0], { device }))).toThrow(/indexSelect: indices must be an int32 tensor, got tensor\(shape=\[1\], dtype=float32/);
    expect(() => indexSelect(x, 0, i32([[0]], device))).toThrow(/indexSelect: indices must be a 1-D tensor/);
    expect(() => gather(x, 1, i32([0, 1], device))).toThrow(/gather: index must be a tensor of rank 2 \(as x\)/);
    expect(() => embedding(tensor([1, 2], { device }), i32([0], device))).toThrow(/embedding: weight must be a 2-D tensor/);
    expect(() => indexAdd(x, 0, i32([0], device), tensor([[1, 2]], { device }))).toThrow(/indexAdd: source must be shape \[1, 3\]/);
    expect(() => cast(x, 'float16' as 'float32')).toThrow(/cast: dtype must be/);
    if (device === 'webgpu') {
      expect(() => indexSelect(x, 0, i32([0], 'cpu'))).toThrow(/indexSelect: all inputs must be on the same device/);
      expect(() => cast(x, 'float64')).toThrow(/cast: dtype must be a dtype supported on device 'webgpu' \(float64 is CPU-only\)/);
    }
    if (device === 'cpu') {
      expect(() => indexSelect(x, 1, i32([0, 3], device))).toThrow(/indexSelect: indices must hold indices in \[0, 3\), got 3 at flat position 1/);
      expect(() => gather(x, 0, i32([[0, -1, 0]], device))).toThrow(/gather: index must hold indices in \[0, 2\), got -1 at flat position 1/);
      expect(() => embedding(x, i32([2], device))).toThrow(/embedding: ids must hold indices in \[0, 2\), got 2/);
      expect(() => take(x, i32([6], device))).toThrow(/take: indices must hold indices in \[0, 6\), got 6/);
      expect(() => scatterAdd(x, 1, i32([[3]], device), tensor([[1]], { device }))).toThrow(/scatterAdd: index must hold indices in \[0, 3\), got 3/);
    }
  });
});

describe('indexing ops: gradcheck [cpu]', () => {
  const x = (shape: number[], seed = 4): Tensor => rand(shape, { seed, low: -1, high: 1, dtype: 'float64' });
  const idx = (v: number[] | number[][]): Tensor => tensor(v, { dtype: 'int32' });
  const cases: [string, (...t: Tensor[]) => Tensor, Tensor[]][] = [
    ['indexSelect', (t) => indexSelect(t, 1, idx([2, 0, 2, 1])), [x([2, 3])]],
    ['indexAdd', (t, s) => indexAdd(t, 0, idx([1, 1, 0]), s), [x([2, 3]), x([3, 3], 5)]],
    ['gather', (t) => gather(t, 0, idx([[1, 0, 1], [0, 0, 1]])), [x([2, 3])]],
    ['scatterAdd (index smaller than src)', (t, s) => scatterAdd(t, 1, idx([[2, 2], [0, 1]]), s), [x([2, 3]), x([2, 3], 6)]],
    ['embedding', (w) => embedding(w, idx([[3, 0], [3, 3]])), [x([4, 2])]],
    ['take', (t) => take(t, idx([5, 0, 5])), [x([2, 3])]],
    ['cast float64 -> float32 -> float64 keeps a gradient path', (t) => cast(mul(t, 2), 'float64'), [x([3])]],
  ];
  for (const [name, f, inputs] of cases) it(name, () => expect(gradcheck(f, inputs)).toBe(true));
  it('maskedSelect (async: its mask is read first, then it is take of those indices)', async () => {
    const t = x([3, 4]);
    const mask = gt(t, 0);
    const idx = await nonzero(mask);
    const direct = await maskedSelect(t, mask);
    expect(Array.from(direct.dataSync())).toEqual(Array.from(take(t, idx).dataSync()));
    expect(gradcheck((a) => take(a, idx), [t])).toBe(true);
  });
});
