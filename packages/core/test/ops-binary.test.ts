/**
 * Binary ops with NumPy broadcasting, on every backend against float64 JS references
 * (values and gradients summed back over the broadcast axes), then by gradcheck on the CPU.
 * Tolerance: the harness's `tol` (1e-6 CPU, 2e-5 WebGPU), ×10 for gradients.
 */
import { describe, expect, it } from 'vitest';
import {
  add, atan2, div, eq, ge, gradcheck, gt, le, logicalAnd, logicalOr, lt, maximum, minimum, mul, ne, pow, rand, sub, sum,
  tensor, type Tensor,
} from '../src/index.js';
import { describeBackends, expectClose, values } from './harness.js';

type BinOp = (a: Tensor, b: Tensor) => Tensor;
type Ref = (a: number, b: number) => number;
/** name, op, value, d/da, d/db, domain of a, domain of b. */
const CASES: [string, BinOp, Ref, Ref, Ref, [number, number], [number, number]][] = [
  ['add', add, (a, b) => a + b, () => 1, () => 1, [-2, 2], [-2, 2]],
  ['sub', sub, (a, b) => a - b, () => 1, () => -1, [-2, 2], [-2, 2]],
  ['mul', mul, (a, b) => a * b, (_a, b) => b, (a) => a, [-2, 2], [-2, 2]],
  ['div', div, (a, b) => a / b, (_a, b) => 1 / b, (a, b) => -a / (b * b), [-2, 2], [0.5, 2]],
  ['pow', pow, (a, b) => a ** b, (a, b) => b * a ** (b - 1), (a, b) => a ** b * Math.log(a), [0.5, 2], [-2, 2]],
  ['maximum', maximum, Math.max, (a, b) => (a >= b ? 1 : 0), (a, b) => (a >= b ? 0 : 1), [-2, 2], [-2, 2]],
  ['minimum', minimum, Math.min, (a, b) => (a <= b ? 1 : 0), (a, b) => (a <= b ? 0 : 1), [-2, 2], [-2, 2]],
  ['atan2', atan2, Math.atan2, (a, b) => b / (a * a + b * b), (a, b) => -a / (a * a + b * b), [0.5, 2], [-2, 2]],
];

// a: [3, 1, 4] and b: [2, 4] broadcast to [3, 2, 4].
const A_SHAPE = [3, 1, 4];
const B_SHAPE = [2, 4];
const OUT = 3 * 2 * 4;
const ai = (o: number): number => Math.floor(o / 8) * 4 + (o % 4);
const bi = (o: number): number => o % 8;

describeBackends('binary ops with broadcasting', ({ device, tol }) => {
  for (const [name, op, ref, da, db, [alo, ahi], [blo, bhi]] of CASES) {
    it(`${name}: values and both gradients over broadcast axes`, async () => {
      const a = rand(A_SHAPE, { seed: 1, low: alo, high: ahi, device }).requiresGrad_();
      const b = rand(B_SHAPE, { seed: 2, low: blo, high: bhi, device }).requiresGrad_();
      const [av, bv] = [await values(a), await values(b)];
      const y = op(a, b);
      expect(y.shape).toEqual([3, 2, 4]);
      const want = Array.from({ length: OUT }, (_, o) => ref(av[ai(o)], bv[bi(o)]));
      expectClose(await values(y), want, tol, tol);
      const r = rand([3, 2, 4], { seed: 3, low: -1, high: 1, device });
      const rv = await values(r);
      sum(mul(y, r)).backward();
      const ga = new Array<number>(12).fill(0);
      const gb = new Array<number>(8).fill(0);
      for (let o = 0; o < OUT; o++) {
        ga[ai(o)] += rv[o] * da(av[ai(o)], bv[bi(o)]);
        gb[bi(o)] += rv[o] * db(av[ai(o)], bv[bi(o)]);
      }
      expectClose(await values(a.grad!), ga, tol * 10, tol * 10);
      expectClose(await values(b.grad!), gb, tol * 10, tol * 10);
    });
  }

  it('number operands broadcast on either side', async () => {
    const x = tensor([1, 2, 4], { device });
    expect(await values(sub(10, x))).toEqual([9, 8, 6]);
    expect(await values(div(x, 2))).toEqual([0.5, 1, 2]);
    expect(await values(maximum(x, 2))).toEqual([2, 2, 4]);
    expectClose(await values(pow(2, x)), [2, 4, 16], tol, tol);
  });

  it('pow(x, number) keeps the sign of negative bases with integer exponents, NaN for fractional ones', async () => {
    const x = tensor([-2, -1.5, -1, 0, 1, 2, 3], { device, requiresGrad: true });
    expectClose(await values(pow(x, 3)), [-8, -3.375, -1, 0, 1, 8, 27], tol, tol);
    expectClose(await values(pow(x, 2)), [4, 2.25, 1, 0, 1, 4, 9], tol, tol);
    expectClose(await values(pow(x, -1)), [-0.5, -1 / 1.5, -1, Infinity, 1, 0.5, 1 / 3], tol, tol);
    expectClose(await values(pow(x, -3)), [-0.125, -1 / 3.375, -1, Infinity, 1, 0.125, 1 / 27], tol, tol);
    expectClose(await values(pow(x, 0)), [1, 1, 1, 1, 1, 1, 1], 0, 0);
    const half = await values(pow(x, 0.5));
    expect(half.slice(0, 3).every(Number.isNaN)).toBe(true);
    expectClose(half.slice(3), [0, 1, Math.SQRT2, Math.sqrt(3)], tol, tol);
    // Only x gets a gradient: p·x^(p−1), finite at negative x.
    sum(pow(x, 3)).backward();
    expectClose(await values(x.grad!), [12, 6.75, 3, 0, 3, 12, 27], tol * 10, tol * 10);
  });

  it('pow(x, number) runs on integer tensors; the tensor-exponent pow needs floats', async () => {
    const i = tensor([-3, 2, 5], { dtype: 'int32', device });
    const sq = pow(i, 2);
    expect(sq.dtype).toBe('int32');
    expect(await values(sq)).toEqual([9, 4, 25]);
    expect(await values(pow(i, 3))).toEqual([-27, 8, 125]);
    expect(() => pow(i, tensor([2, 2, 2], { dtype: 'int32', device }))).toThrow(/pow: a and b must be float tensors/);
    expect(() => pow(tensor([1], { device }), NaN)).toThrow(/pow: p must be a number/);
  });

  it('comparisons and logical ops return bool, record no gradient and broadcast', async () => {
    const a = tensor([[1], [2], [3]], { device, requiresGrad: true });
    const b = tensor([1, 2, 3], { device });
    const table: [BinOp, number[]][] = [
      [eq, [1, 0, 0, 0, 1, 0, 0, 0, 1]],
      [ne, [0, 1, 1, 1, 0, 1, 1, 1, 0]],
      [lt, [0, 1, 1, 0, 0, 1, 0, 0, 0]],
      [le, [1, 1, 1, 0, 1, 1, 0, 0, 1]],
      [gt, [0, 0, 0, 1, 0, 0, 1, 1, 0]],
      [ge, [1, 0, 0, 1, 1, 0, 1, 1, 1]],
    ];
    for (const [op, want] of table) {
      const y = op(a, b);
      expect(y.dtype).toBe('bool');
      expect(y.requiresGrad).toBe(false);
      expect(y.shape).toEqual([3, 3]);
      expect(await values(y)).toEqual(want);
    }
    const p = tensor([true, true, false, false], { device });
    const q = tensor([true, false, true, false], { device });
    expect(await values(logicalAnd(p, q))).toEqual([1, 0, 0, 0]);
    expect(await values(logicalOr(p, q))).toEqual([1, 1, 1, 0]);
  });

  it('maximum and minimum propagate NaN; atan2 covers all four quadrants and the axes', async () => {
    const n = tensor([NaN, 1], { device });
    const m = tensor([0, NaN], { device });
    expect((await values(maximum(n, m))).every(Number.isNaN)).toBe(true);
    expect((await values(minimum(n, m))).every(Number.isNaN)).toBe(true);
    const ys = [1, 1, -1, -1, 0, 0, 1, -1];
    const xs = [1, -1, 1, -1, 1, -1, 0, 0];
    expectClose(await values(atan2(tensor(ys, { device }), tensor(xs, { device }))), ys.map((y, k) => Math.atan2(y, xs[k])), tol, tol);
  });

  it('rejects mismatched shapes, dtypes and devices, naming the op', () => {
    const x = tensor([1, 2, 3], { device });
    expect(() => add(x, tensor([1, 2], { device }))).toThrow(/add: .*broadcast/);
    expect(() => mul(x, tensor([1, 2, 3], { device, dtype: 'int32' }))).toThrow(/mul: a and b must have the same dtype/);
    if (device === 'webgpu') expect(() => add(x, tensor([1, 2, 3]))).toThrow(/add: all inputs must be on the same device/);
    expect(() => add(1 as never, 2 as never)).toThrow(/add: a or b must be a Tensor/);
  });
});

describe('binary ops: gradcheck [cpu]', () => {
  const f64 = (shape: number[], seed: number, [lo, hi]: [number, number]): Tensor => rand(shape, { seed, low: lo, high: hi, dtype: 'float64' });
  for (const [name, op, , , , adom, bdom] of CASES) {
    it(`${name} (both inputs, broadcast)`, () => {
      expect(gradcheck(op, [f64(A_SHAPE, 4, adom), f64(B_SHAPE, 5, bdom)])).toBe(true);
    });
  }
  it('pow(x, number) for integer, negative and fractional exponents, negative bases included', () => {
    const mixed = tensor([-2.1, -0.7, -0.3, 0.4, 0.9, 1.7], { dtype: 'float64' });
    for (const p of [3, 2, -2, 1]) expect(gradcheck((x) => pow(x, p), [mixed]), `p = ${p}`).toBe(true);
    expect(gradcheck((x) => pow(x, 0.5), [f64([2, 3], 6, [0.3, 3])])).toBe(true);
    expect(gradcheck((x) => pow(x, -1.5), [f64([2, 3], 7, [0.3, 3])])).toBe(true);
  });
  it('number operands on either side', () => {
    const x = f64([2, 3], 8, [0.5, 2]);
    expect(gradcheck((t) => div(3, t), [x])).toBe(true);
    expect(gradcheck((t) => pow(2, t), [x])).toBe(true);
    expect(gradcheck((t) => sub(1, t), [x])).toBe(true);
  });
});
