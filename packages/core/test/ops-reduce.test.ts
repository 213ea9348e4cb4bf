import { describe, expect, it } from 'vitest';
import {
  argmax, argmin, cumsum, gradcheck, logSoftmax, logsumexp, max, mean, min, mul, norm, prod, rand, softmax, std, sum,
  tensor, variance, type Tensor,
} from '../src/index.js';
import { describeBackends, expectClose, values } from './harness.js';

/** Plain-loop reduction of a row-major array over `axes` (keepdim=false shape order). */
function refReduce(v: number[], shape: number[], axes: number[], f: (group: number[]) => number): number[] {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const groups = new Map<number, number[]>();
  for (let flat = 0; flat < v.length; flat++) {
    let key = 0;
    let mult = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (axes.includes(d)) continue;
      key += Math.floor(flat / strides[d]) % shape[d] * mult;
      mult *= shape[d];
    }
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(v[flat]);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => f(groups.get(k)!));
}
const total = (g: number[]): number => g.reduce((a, b) => a + b, 0);

describeBackends('reductions', ({ device, tol }) => {
  const x = (): Tensor => rand([3, 4, 5], { seed: 7, low: -2, high: 2, device });

  it('sum, mean, max, min and prod over any axes match plain loops, with keepdim', async () => {
    const t = x();
    const v = await values(t);
    for (const axes of [[0], [1], [2], [0, 2], [1, 2], [0, 1, 2]]) {
      const keptShape = [3, 4, 5].map((d, i) => (axes.includes(i) ? 1 : d));
      const redShape = [3, 4, 5].filter((_, i) => !axes.includes(i));
      expect(sum(t, axes).shape).toEqual(redShape);
      expect(sum(t, axes, true).shape).toEqual(keptShape);
      expectClose(await values(sum(t, axes)), refReduce(v, [3, 4, 5], axes, total), tol * 10, tol);
      expectClose(await values(mean(t, axes, true)), refReduce(v, [3, 4, 5], axes, (g) => total(g) / g.length), tol, tol);
      expectClose(await values(max(t, axes)), refReduce(v, [3, 4, 5], axes, (g) => Math.max(...g)), 0, 0);
      expectClose(await values(min(t, axes)), refReduce(v, [3, 4, 5], axes, (g) => Math.min(...g)), 0, 0);
      expectClose(await values(prod(t, axes)), refReduce(v, [3, 4, 5], axes, (g) => g.reduce((a, b) => a * b, 1)), tol, tol * 10);
    }
    expect(sum(t).shape).toEqual([]);
    expect(await values(sum(t, []))).toEqual(v); // [] reduces nothing
    expect(sum(t, -1).shape).toEqual([3, 4]);
  });

  it('sums bool tensors as int32 counts', async () => {
    const b = tensor([[true, false, true], [true, true, true]], { device });
    const s = sum(b, 1);
    expect(s.dtype).toBe('int32');
    expect(await values(s)).toEqual([2, 3]);
  });

  it('argmax/argmin return the first extremum as int32, over an axis or the flattened tensor', async () => {
    const t = tensor([[1, 5, 5, 0], [7, 2, 7, -1]], { device });
    expect(argmax(t, 1).dtype).toBe('int32');
    expect(await values(argmax(t, 1))).toEqual([1, 0]);
    expect(await values(argmin(t, 0))).toEqual([0, 1, 0, 1]);
    expect(await values(argmax(t))).toEqual([4]);
    expect(argmax(t, 1, true).shape).toEqual([2, 1]);
    expect(await values(argmin(t))).toEqual([7]);
  });

  it('max/min split the gradient evenly among ties (as torch.amax)', async () => {
    const t = tensor([[1, 3, 3], [2, 0, 0]], { device, requiresGrad: true });
    sum(mul(max(t, 1), tensor([1, 10], { device }))).backward();
    expect(await values(t.grad!)).toEqual([0, 0.5, 0.5, 10, 0, 0]);
    const u = tensor([[1, 3, 3], [2, 0, 0]], { device, requiresGrad: true });
    sum(min(u, 1)).backward();
    expect(await values(u.grad!)).toEqual([1, 0, 0, 0, 0.5, 0.5]);
  });

  it('prod has the right gradient with zero, one and two zeros in a group', async () => {
    const t = tensor([[2, 3, 4], [2, 0, 4], [0, 3, 0]], { device, requiresGrad: true });
    sum(prod(t, 1)).backward();
    expect(await values(t.grad!)).toEqual([12, 8, 6, 0, 8, 0, 0, 0, 0]);
  });

  it('variance/std use correction 1 by default (torch), 0 on request', async () => {
    const t = tensor([[1, 2, 3, 4], [2, 2, 2, 10]], { device });
    expectClose(await values(variance(t, 1)), [5 / 3, 16], tol, tol);
    expectClose(await values(variance(t, 1, { correction: 0 })), [1.25, 12], tol, tol);
    expectClose(await values(std(t, 1)), [Math.sqrt(5 / 3), 4], tol, tol);
    expect(variance(t, 1, { keepdim: true }).shape).toEqual([2, 1]);
  });

  it('norm: p = 2, 1, 3 and Infinity over axes; the gradient at a zero vector is 0', async () => {
    const t = tensor([[3, -4, 0], [0, 0, 0]], { device, requiresGrad: true });
    expectClose(await values(norm(t, 2, 1)), [5, 0], tol, tol);
    expectClose(await values(norm(t, 1, 1)), [7, 0], tol, tol);
    expectClose(await values(norm(t, 3, 1)), [Math.cbrt(27 + 64), 0], tol, tol);
    expectClose(await values(norm(t, Infinity, 1)), [4, 0], tol, tol);
    expectClose(await values(norm(t)), [5], tol, tol);
    sum(norm(t, 2, 1)).backward();
    expectClose(await values(t.grad!), [0.6, -0.8, 0, 0, 0, 0], tol, tol);
  });

  it('logsumexp is stable for large values and exact for -Infinity rows', async () => {
    const t = tensor([[1000, 1000], [-Infinity, -Infinity], [0, Math.log(3)]], { device });
    const r = await values(logsumexp(t, 1));
    expectClose(r, [1000 + Math.LN2, -Infinity, Math.log(4)], tol, tol);
    expect(logsumexp(t, 1, true).shape).toEqual([3, 1]);
  });

  it('softmax/logSoftmax sum to one and survive large inputs; gradient of softmax sums to zero', async () => {
    const t = tensor([[1, 2, 3], [1000, 1001, 1002]], { device, requiresGrad: true });
    const e = [1, Math.E, Math.E ** 2];
    const ref = e.map((v) => v / (1 + Math.E + Math.E ** 2));
    expectClose(await values(softmax(t)), [...ref, ...ref], tol, tol);
    // x − lse(x) at x ≈ 1000 in float32: the spacing of floats near 1000 is 6e-5.
    expectClose(await values(logSoftmax(t, -1)), [...ref, ...ref].map(Math.log), 2e-4, tol);
    sum(mul(softmax(t, 1), tensor([1, 2, 3], { device }))).backward();
    const g = await values(t.grad!);
    // d/dx_i Σ w_j y_j = y_i (w_i − Σ w_j y_j)
    const avg = ref[0] + 2 * ref[1] + 3 * ref[2];
    expectClose(g, [...ref, ...ref].map((y, i) => y * ((i % 3) + 1 - avg)), tol * 10, tol * 10);
  });

  it('cumsum along any axis, forward and reversed; its gradient is the reversed cumsum', async () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]], { device, requiresGrad: true });
    expect(await values(cumsum(t, 1))).toEqual([1, 3, 6, 4, 9, 15]);
    expect(await values(cumsum(t, 0))).toEqual([1, 2, 3, 5, 7, 9]);
    expect(await values(cumsum(t, -1, { reverse: true }))).toEqual([6, 5, 3, 15, 11, 6]);
    sum(mul(cumsum(t, 1), tensor([1, 10, 100], { device }))).backward();
    expect(await values(t.grad!)).toEqual([111, 110, 100, 111, 110, 100]);
  });

  it('errors name the op, argument and value', () => {
    const t = x();
    expect(() => sum(t, 3)).toThrow(/sum: axes must be an integer in \[-3, 2\], got 3/);
    expect(() => sum(t, [1, 1])).toThrow(/sum: axes must be unique axes/);
    expect(() => mean(tensor([1, 2], { dtype: 'int32', device }))).toThrow(/mean: x must be a float tensor/);
    expect(() => max(tensor([[]], { device }).reshape([1, 0]), 1)).toThrow(/max: x must be non-empty along the reduced axes \[1\]/);
    expect(() => norm(t, -1)).toThrow(/norm: p must be a positive number or Infinity, got -1/);
    expect(() => softmax(tensor(1, { device }))).toThrow(/softmax: x must be a tensor of rank >= 1/);
  });
});

describe('reductions: gradcheck [cpu]', () => {
  const x = (seed = 5): Tensor => rand([3, 4], { seed, low: -2, high: 2, dtype: 'float64' });
  const cases: [string, (t: Tensor) => Tensor][] = [
    ['sum axes [1] keepdim', (t) => sum(t, [1], true)],
    ['sum all', (t) => sum(t)],
    ['mean axis 0', (t) => mean(t, 0)],
    ['max axis 1', (t) => max(t, 1)],
    ['min all', (t) => min(t)],
    ['prod axis 1', (t) => prod(t, 1)],
    ['variance axis 1', (t) => variance(t, 1)],
    ['std all, correction 0', (t) => std(t, undefined, { correction: 0 })],
    ['norm p=2 axis 1', (t) => norm(t, 2, 1)],
    ['norm p=1 all', (t) => norm(t, 1)],
    ['norm p=3 axis 0 keepdim', (t) => norm(t, 3, 0, true)],
    ['logsumexp axis 1', (t) => logsumexp(t, 1)],
    ['softmax axis 0', (t) => softmax(t, 0)],
    ['logSoftmax axis 1', (t) => logSoftmax(t, 1)],
    ['cumsum axis 1', (t) => cumsum(t, 1)],
    ['cumsum axis 0 reverse', (t) => cumsum(t, 0, { reverse: true })],
  ];
  for (const [name, f] of cases) it(name, () => expect(gradcheck(f, [x()])).toBe(true));

  it('prod with zeros in a group', () => {
    expect(gradcheck((t) => prod(t, 1), [tensor([[2, 0, 3], [0, 1, 0], [1, 2, 3]], { dtype: 'float64' })])).toBe(true);
  });

  it('max with ties in float64 splits evenly (one-sided limits differ, so compare by hand)', async () => {
    const t = tensor([5, 5, 1], { dtype: 'float64', requiresGrad: true });
    max(t).backward();
    expect(await values(t.grad!)).toEqual([0.5, 0.5, 0]);
  });
});
