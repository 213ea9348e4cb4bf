import { describe, expect, it } from 'vitest';
import {
  arange, broadcastTo, chunk, concat, expand, flatten, flip, gradcheck, gt, mul, narrow, pad, permute, rand, repeat, reshape,
  slice, split, squeeze, stack, sum, tensor, transpose, unsqueeze, where, type Tensor,
} from '../src/index.js';
import { describeBackends, values } from './harness.js';

/** Row-major index helpers for the plain-loop references. */
const stridesOf = (s: number[]): number[] => s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1));
const unravel = (flat: number, s: number[]): number[] => s.map((d, i) => Math.floor(flat / stridesOf(s)[i]) % d);
const ravel = (idx: number[], s: number[]): number => idx.reduce((acc, v, i) => acc + v * stridesOf(s)[i], 0);
const seq = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describeBackends('shape ops', ({ device }) => {
  const ar = (shape: number[]): Tensor => reshape(arange(0, shape.reduce((a, b) => a * b, 1), 1, { device, dtype: 'float32' }), shape);

  it('reshape infers one -1 and shares storage; flatten, squeeze and unsqueeze change only the shape', async () => {
    const x = ar([2, 3, 4]);
    expect(reshape(x, [4, -1]).shape).toEqual([4, 6]);
    expect(await values(reshape(x, [-1]))).toEqual(seq(24));
    expect(flatten(x).shape).toEqual([24]);
    expect(flatten(x, 1).shape).toEqual([2, 12]);
    expect(flatten(x, 0, 1).shape).toEqual([6, 4]);
    expect(unsqueeze(x, -1).shape).toEqual([2, 3, 4, 1]);
    expect(unsqueeze(x, 0).shape).toEqual([1, 2, 3, 4]);
    const y = reshape(x, [1, 2, 1, 12, 1]);
    expect(squeeze(y).shape).toEqual([2, 12]);
    expect(squeeze(y, [0, -1]).shape).toEqual([2, 1, 12]);
  });

  it('permute and transpose reorder elements like index arithmetic', async () => {
    const shape = [2, 3, 4, 5];
    const x = ar(shape);
    for (const perm of [[0, 1, 3, 2], [3, 2, 1, 0], [1, 0, 2, 3], [2, 0, 3, 1]]) {
      const outShape = perm.map((p) => shape[p]);
      const want = seq(120).map((f) => {
        const o = unravel(f, outShape);
        const i = new Array<number>(4);
        perm.forEach((p, k) => (i[p] = o[k]));
        return ravel(i, shape);
      });
      const y = permute(x, perm);
      expect(y.shape).toEqual(outShape);
      expect(await values(y)).toEqual(want);
    }
    expect(await values(transpose(ar([2, 3])))).toEqual([0, 3, 1, 4, 2, 5]);
    expect(transpose(x, 0, 2).shape).toEqual([4, 3, 2, 5]);
  });

  it('broadcastTo/expand materialise the broadcast; expand keeps -1 axes', async () => {
    const x = ar([3, 1]);
    expect(await values(broadcastTo(x, [2, 3, 2]))).toEqual([0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2]);
    expect(expand(x, [2, -1, 4]).shape).toEqual([2, 3, 4]);
  });

  it('slice follows Python semantics: steps, negative steps, negative and clamped bounds', async () => {
    const x = ar([10]);
    const py = (start: number | undefined, end: number | undefined, step: number | undefined): number[] => {
      // Python's slice.indices, written out.
      const n = 10;
      const st = step ?? 1;
      const norm = (v: number, lo: number, hi: number): number => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
      const s = start === undefined ? (st > 0 ? 0 : n - 1) : norm(start, st > 0 ? 0 : -1, st > 0 ? n : n - 1);
      const e = end === undefined ? (st > 0 ? n : -1) : norm(end, st > 0 ? 0 : -1, st > 0 ? n : n - 1);
      const out: number[] = [];
      for (let i = s; st > 0 ? i < e : i > e; i += st) out.push(i);
      return out;
    };
    const specs: [number | undefined, number | undefined, number | undefined][] = [
      [2, 8, 1], [undefined, undefined, 3], [8, 1, -2], [undefined, undefined, -1], [-3, undefined, 1], [-100, 100, 4],
      [100, undefined, 1], [5, 2, 1], [undefined, -12, -1], [7, -8, -3],
    ];
    for (const [start, end, step] of specs) {
      const y = slice(x, [{ start, end, step }]);
      expect(await values(y), `${start}:${end}:${step}`).toEqual(py(start, end, step));
    }
    const m = ar([3, 4]);
    expect(await values(slice(m, [{ step: -1 }, { start: 1, step: 2 }]))).toEqual([9, 11, 5, 7, 1, 3]);
    expect(slice(m, [null, { end: 0 }]).shape).toEqual([3, 0]);
    expect(await values(narrow(m, 1, 1, 2))).toEqual([1, 2, 5, 6, 9, 10]);
    expect(await values(flip(m, [0, 1]))).toEqual(seq(12).reverse());
  });

  it('slice gradients scatter back to the sliced positions (steps and negative steps)', async () => {
    const x = tensor(seq(10), { device, requiresGrad: true });
    sum(mul(slice(x, [{ start: 8, end: 1, step: -3 }]), tensor([1, 2, 3], { device }))).backward();
    expect(await values(x.grad!)).toEqual([0, 0, 3, 0, 0, 2, 0, 0, 1, 0]);
  });

  it('concat, stack, split and chunk', async () => {
    const a = ar([2, 2]);
    const b = reshape(arange(10, 16, 1, { device, dtype: 'float32' }), [2, 3]);
    expect(await values(concat([a, b], 1))).toEqual([0, 1, 10, 11, 12, 2, 3, 13, 14, 15]);
    expect(await values(concat([a, a], 0))).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    const s = stack([a, a], 2);
    expect(s.shape).toEqual([2, 2, 2]);
    expect(await values(s)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    const parts = split(ar([7, 2]), 3);
    expect(parts.map((p) => p.shape[0])).toEqual([3, 3, 1]);
    expect(await values(parts[2])).toEqual([12, 13]);
    expect(split(ar([7]), [2, 5]).map((p) => p.size)).toEqual([2, 5]);
    expect(chunk(ar([5]), 3).map((p) => p.size)).toEqual([2, 2, 1]);
    expect(chunk(ar([6]), 4).map((p) => p.size)).toEqual([2, 2, 2]); // torch.chunk may return fewer pieces
  });

  it('pad fills a constant border; repeat tiles like torch.Tensor.repeat', async () => {
    const x = ar([2, 2]);
    expect(await values(pad(x, [[1, 0], [0, 2]], -1))).toEqual([-1, -1, -1, -1, 0, 1, -1, -1, 2, 3, -1, -1]);
    // torch.tensor([1, 2, 3]).repeat(4, 2) -> shape (4, 6)
    const r = repeat(tensor([1, 2, 3], { device }), [2, 2]);
    expect(r.shape).toEqual([2, 6]);
    expect(await values(r)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect(await values(repeat(x, [1, 2]))).toEqual([0, 1, 0, 1, 2, 3, 2, 3]);
    expect(await values(repeat(x, [2, 1]))).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  });

  it('where broadcasts cond, a and b and routes gradients to each side', async () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { device, requiresGrad: true });
    const b = tensor([10, 20, 30], { device, requiresGrad: true });
    const cond = gt(tensor([[1], [0]], { device }), 0);
    const y = where(cond, a, b);
    expect(await values(y)).toEqual([1, 2, 3, 10, 20, 30]);
    sum(y).backward();
    expect(await values(a.grad!)).toEqual([1, 1, 1, 0, 0, 0]);
    expect(await values(b.grad!)).toEqual([1, 1, 1]);
    expect(await values(where(cond, 0, b))).toEqual([0, 0, 0, 10, 20, 30]);
  });

  it('tensor methods chain like PyTorch and keep gradients', async () => {
    const x = tensor([[1, 2], [3, 4]], { device, requiresGrad: true });
    const y = x.add(1).mul(2).pow(2).sum();
    expect(await values(y)).toEqual([4 * (4 + 9 + 16 + 25)]);
    y.backward();
    expect(await values(x.grad!)).toEqual([16, 24, 32, 40]); // d/dx 4(x+1)^2 = 8(x+1)
    expect(await values(x.T)).toEqual([1, 3, 2, 4]);
    expect(x.view([4]).shape).toEqual([4]);
    expect(x.unsqueeze(0).squeeze(0).flatten().shape).toEqual([4]);
    expect(await values(x.var(1))).toEqual([0.5, 0.5]);
    expect(await values(x.max(0))).toEqual([3, 4]);
    expect(await values(x.slice([{ step: -1 }]).narrow(1, 1, 1))).toEqual([4, 2]);
    expect(x.float().dtype).toBe('float32');
  });

  if (device === 'webgpu') {
    it('mixing devices is an error, never a silent copy', () => {
      const g = ar([2, 2]);
      const c = tensor([[1, 2]], { device: 'cpu' });
      expect(() => concat([g, c], 0)).toThrow(/concat: all inputs must be on the same device/);
      expect(() => where(gt(c, 0), g, g)).toThrow(/where: all inputs must be on the same device/);
    });
  }

  it('errors name the op, argument, expected and actual values', () => {
    const x = ar([2, 3]);
    expect(() => reshape(x, [4, -1])).toThrow(/reshape: shape \[4, -1\] is invalid for a tensor of 6 elements/);
    expect(() => reshape(x, [-1, -1])).toThrow(/reshape: shape must be at most one -1/);
    expect(() => reshape(x, [7])).toThrow(/reshape: shape \[7\] has 7 elements, the tensor of shape \[2, 3\] has 6/);
    expect(() => squeeze(x, 0)).toThrow(/squeeze: axes must be axes of size 1 \(axis 0 of shape \[2, 3\]\)/);
    expect(() => permute(x, [0, 0])).toThrow(/permute: perm must be a permutation/);
    expect(() => broadcastTo(x, [3, 3])).toThrow(/broadcastTo/);
    expect(() => slice(x, [{ step: 0 }])).toThrow(/slice: specs\[0\].step must be a non-zero integer, got 0/);
    expect(() => slice(x, [{}, {}, {}])).toThrow(/slice: specs must be an array of at most 2/);
    expect(() => narrow(x, 1, 2, 2)).toThrow(/narrow: length must be an integer in \[0, 1\]/);
    expect(() => concat([x, ar([3, 2])], 1)).toThrow(/concat: tensors\[1\] has shape \[3, 2\], expected \[2, 3\] on every axis except 1/);
    expect(() => concat([x, tensor([[1, 2, 3]], { device, dtype: 'int32' })], 0)).toThrow(/concat: tensors\[1\] must be dtype float32/);
    expect(() => split(x, [1, 2], 0)).toThrow(/split: sizeOrSizes must be sizes summing to 2/);
    expect(() => pad(x, [[1, 1]])).toThrow(/pad: pads must be 2 pairs/);
    expect(() => pad(x, [[0, 0], [-1, 0]])).toThrow(/pad: pads\[1\] must be a pair of non-negative integers/);
    expect(() => where(tensor([1], { device }), x, x)).toThrow(/where: cond must be a bool tensor/);
    expect(() => transpose(x, 0, 2)).toThrow(/transpose: dim1 must be an integer in \[-2, 1\], got 2/);
  });
});

describe('shape ops: gradcheck [cpu]', () => {
  const x = (shape: number[], seed = 2): Tensor => rand(shape, { seed, low: -1, high: 1, dtype: 'float64' });
  const cases: [string, (...t: Tensor[]) => Tensor, Tensor[]][] = [
    ['reshape', (t) => reshape(t, [3, -1]), [x([2, 3, 2])]],
    ['flatten + unsqueeze + squeeze', (t) => squeeze(unsqueeze(flatten(t, 1), 0)), [x([2, 3, 2])]],
    ['permute', (t) => permute(t, [2, 0, 1]), [x([2, 3, 4])]],
    ['transpose', (t) => transpose(t, 0, 1), [x([3, 2])]],
    ['broadcastTo', (t) => broadcastTo(t, [2, 3, 4]), [x([3, 1])]],
    ['expand', (t) => expand(t, [2, -1, 3]), [x([2, 1])]],
    ['slice with steps', (t) => slice(t, [{ start: 1, step: 2 }, { start: -1, end: 0, step: -2 }]), [x([5, 6])]],
    ['slice plain range', (t) => slice(t, [{ start: 1, end: 3 }, { start: 2 }]), [x([4, 5])]],
    ['flip', (t) => flip(t, 1), [x([2, 3])]],
    ['narrow', (t) => narrow(t, 0, 1, 2), [x([4, 2])]],
    ['concat', (a, b) => concat([a, b], 1), [x([2, 2]), x([2, 3], 3)]],
    ['stack', (a, b) => stack([a, b], -1), [x([2, 2]), x([2, 2], 3)]],
    ['split', (t) => mul(split(t, [1, 3], 1)[1], 2), [x([2, 4])]],
    ['pad', (t) => pad(t, [[1, 2], [0, 1]], 3), [x([2, 2])]],
    ['repeat', (t) => repeat(t, [2, 1, 3]), [x([2, 2])]],
    ['where', (a, b) => where(gt(a, 0), a, b), [x([3, 4]), x([4], 5)]],
  ];
  for (const [name, f, inputs] of cases) it(name, () => expect(gradcheck(f, inputs)).toBe(true));
});
