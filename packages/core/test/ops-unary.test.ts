import { describe, expect, it } from 'vitest';
import {
  abs, ceil, clamp, cos, erf, exp, floor, gelu, gradcheck, leakyRelu, log, logicalNot, neg, powScalar, rand, reciprocal,
  relu, round, rsqrt, sigmoid, sign, sin, softplus, sqrt, square, sum, tanh, tensor, type Tensor,
} from '../src/index.js';
import { describeBackends, expectClose, values } from './harness.js';

type Op = (x: Tensor) => Tensor;
const sigmoidRef = (v: number): number => 1 / (1 + Math.exp(-v));
const ERF_X = [-3, -1.5, -0.5, 0, 0.25, 1, 2.7, 4];
// CPython math.erf (W. J. Cody's algorithm) and 0.5 x (1 + erf(x/√2)) at ERF_X.
const ERF_Y = [-0.9999779095030014, -0.9661051464753108, -0.5204998778130465, 0, 0.2763263901682369, 0.8427007929497149, 0.9998656672600594, 0.9999999845827421];
const GELU_Y = [-0.00404969409489031, -0.10021080190328713, -0.15426876936299344, 0, 0.14967658142073093, 0.8413447460685429, 2.6906391707317905, 3.9998733150326675];

/** op, JS reference, analytic derivative, input domain. */
const CASES: [string, Op, (v: number) => number, (v: number) => number, [number, number]][] = [
  ['neg', neg, (v) => -v, () => -1, [-3, 3]],
  ['abs', abs, Math.abs, Math.sign, [-3, 3]],
  ['exp', exp, Math.exp, Math.exp, [-3, 3]],
  ['log', log, Math.log, (v) => 1 / v, [0.1, 5]],
  ['sqrt', sqrt, Math.sqrt, (v) => 0.5 / Math.sqrt(v), [0.1, 5]],
  ['rsqrt', rsqrt, (v) => 1 / Math.sqrt(v), (v) => -0.5 * v ** -1.5, [0.1, 5]],
  ['sin', sin, Math.sin, Math.cos, [-3, 3]],
  ['cos', cos, Math.cos, (v) => -Math.sin(v), [-3, 3]],
  ['tanh', tanh, Math.tanh, (v) => 1 - Math.tanh(v) ** 2, [-3, 3]],
  ['sigmoid', sigmoid, sigmoidRef, (v) => sigmoidRef(v) * (1 - sigmoidRef(v)), [-5, 5]],
  ['relu', relu, (v) => Math.max(v, 0), (v) => (v > 0 ? 1 : 0), [-3, 3]],
  ['leakyRelu(0.2)', (x) => leakyRelu(x, 0.2), (v) => (v > 0 ? v : 0.2 * v), (v) => (v > 0 ? 1 : 0.2), [-3, 3]],
  ['softplus', softplus, (v) => Math.log1p(Math.exp(v)), sigmoidRef, [-5, 5]],
  ['square', square, (v) => v * v, (v) => 2 * v, [-3, 3]],
  ['reciprocal', reciprocal, (v) => 1 / v, (v) => -1 / (v * v), [0.2, 4]],
  ['powScalar(3)', (x) => powScalar(x, 3), (v) => v ** 3, (v) => 3 * v * v, [-2, 2]],
  ['powScalar(0.5)', (x) => powScalar(x, 0.5), Math.sqrt, (v) => 0.5 / Math.sqrt(v), [0.2, 4]],
  ['clamp(-1, 0.5)', (x) => clamp(x, -1, 0.5), (v) => Math.min(Math.max(v, -1), 0.5), (v) => (v >= -1 && v <= 0.5 ? 1 : 0), [-3, 3]],
];

describeBackends('unary ops', ({ device, tol }) => {
  const input = (lo: number, hi: number): Tensor => rand([4, 7], { seed: 3, low: lo, high: hi, device });

  for (const [name, op, ref, dref, [lo, hi]] of CASES) {
    it(`${name} matches Math and its gradient matches the derivative`, async () => {
      const x = input(lo, hi).requiresGrad_();
      const xv = await values(x);
      const y = op(x);
      expect(y.shape).toEqual([4, 7]);
      expectClose(await values(y), xv.map(ref), tol, tol);
      sum(y).backward();
      expectClose(await values(x.grad!), xv.map(dref), tol * 10, tol * 10);
    });
  }

  it('erf and gelu (exact erf form) match CPython to float32 precision', async () => {
    const x = tensor(ERF_X, { device });
    expectClose(await values(erf(x)), ERF_Y, 2e-7 + tol, 0);
    expectClose(await values(gelu(x)), GELU_Y, 4e-7 + tol, 1e-6);
  });

  it('sigmoid and softplus stay finite and exact at large |x|', async () => {
    const x = tensor([-200, -50, 50, 200], { device });
    // Relative 1e-5: WebGPU's exp is float32 with a few ulps of error.
    expectClose(await values(sigmoid(x)), [0, sigmoidRef(-50), 1, 1], 0, 1e-5);
    // CPU keeps full relative precision (log1p); WebGPU is held to absolute float32 tolerance.
    expectClose(await values(softplus(x)), [0, Math.log1p(Math.exp(-50)), 50, 200], device === 'cpu' ? 1e-30 : tol, 1e-6);
  });

  it('softplus keeps float32 relative precision from exp underflow to overflow, as the CPU', async () => {
    // Both sides of each branch point of the WebGPU kernel (-15, 20), tiny |x|, and
    // values where exp(x) overflows float32 (88.8) or log(1 + e^x) would round to 0.
    const xs = [-80, -40, -20, -15.5, -15, -14.9, -10, -5, -1, -1e-3, -1e-6, 0, 1e-6, 1e-3, 1, 5, 10, 15, 19.9, 20, 20.1, 30, 88, 100, 1e6];
    const cpu = await values(softplus(tensor(xs)));
    // The float32 CPU kernel rounds the float64 formula once (inputs are float32 values).
    const ref = xs.map(Math.fround).map((v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))));
    expectClose(cpu, ref, 0, 2 ** -23);
    // Relative 1e-5 everywhere: a few float32 ulps of exp; no absolute slack.
    expectClose(await values(softplus(tensor(xs, { device }))), cpu, 0, 1e-5);
    expect((await values(softplus(tensor([NaN], { device }))))[0]).toBeNaN();
  });

  it('sign/floor/ceil/round follow torch (round half to even) and have zero gradient', async () => {
    const x = tensor([-2.5, -1.5, -0.5, 0, 0.5, 1.5, 2.5, 2.7], { device, requiresGrad: true });
    expect(await values(round(x))).toEqual([-2, -2, -0, 0, 0, 2, 2, 3]);
    expect(await values(floor(x))).toEqual([-3, -2, -1, 0, 0, 1, 2, 2]);
    expect(await values(ceil(x))).toEqual([-2, -1, -0, 0, 1, 2, 3, 3]);
    expect(await values(sign(x))).toEqual([-1, -1, -1, 0, 1, 1, 1, 1]);
    sum(round(x)).backward();
    expect(await values(x.grad!)).toEqual(new Array(8).fill(0));
  });

  it('clamp passes the gradient at the bounds and accepts one-sided bounds', async () => {
    const x = tensor([-2, -1, 0, 1, 2], { device, requiresGrad: true });
    sum(clamp(x, -1, 1)).backward();
    expect(await values(x.grad!)).toEqual([0, 1, 1, 1, 0]);
    expect(await values(clamp(x, 0))).toEqual([0, 0, 0, 1, 2]);
    expect(await values(clamp(x, undefined, 0))).toEqual([-2, -1, 0, 0, 0]);
  });

  it('relu and clamp propagate NaN', async () => {
    const x = tensor([NaN, -1], { device });
    expect((await values(relu(x)))[0]).toBeNaN();
    expect((await values(clamp(x, 0, 1)))[0]).toBeNaN();
  });

  it('logicalNot returns bool for any dtype; integer neg/abs/square/relu keep int32', async () => {
    expect(logicalNot(tensor([0, 2, -1], { device })).dtype).toBe('bool');
    expect(await values(logicalNot(tensor([true, false], { device })))).toEqual([0, 1]);
    const i = tensor([-3, 0, 4], { dtype: 'int32', device });
    for (const [op, want] of [[neg, [3, 0, -4]], [abs, [3, 0, 4]], [square, [9, 0, 16]], [relu, [0, 0, 4]]] as const) {
      const y = op(i);
      expect(y.dtype).toBe('int32');
      expect(await values(y)).toEqual(want);
    }
  });

  it('rejects integer input where the op needs floats, and bool input for arithmetic', () => {
    const i = tensor([1, 2], { dtype: 'int32', device });
    expect(() => exp(i)).toThrow(/exp: x must be a float tensor .*dtype=int32/);
    expect(() => neg(tensor([true], { device }))).toThrow(/neg: x must be a numeric tensor/);
    expect(() => clamp(tensor([1], { device }), 2, 1)).toThrow(/clamp: min must be <= max \(1\), got 2/);
    expect(() => powScalar(tensor([1], { device }), NaN)).toThrow(/powScalar: p must be a number/);
  });
});

describe('unary ops: gradcheck [cpu]', () => {
  const x = (lo: number, hi: number): Tensor => rand([3, 4], { seed: 11, low: lo, high: hi, dtype: 'float64' });
  // Points clear of the kinks of abs/relu/leakyRelu/clamp, where central differences are valid.
  const kinked = tensor([-2.1, -0.7, -0.3, 0.4, 0.9, 1.7], { dtype: 'float64' });
  for (const [name, op, , , [lo, hi]] of CASES) {
    it(name, () => {
      const input = /^(abs|relu|leakyRelu|clamp)/.test(name) ? kinked : x(lo, hi);
      expect(gradcheck(op, [input])).toBe(true);
    });
  }
  it('erf', () => expect(gradcheck(erf, [x(-3, 3)])).toBe(true));
  it('gelu', () => expect(gradcheck(gelu, [x(-4, 4)])).toBe(true));
  it('floor has a zero gradient', () => {
    expect(gradcheck(floor, [tensor([0.3, 1.6, -2.2], { dtype: 'float64' })])).toBe(true);
  });

  it('second derivatives of tanh, sigmoid, exp and gelu through createGraph', async () => {
    const pts = [-1.2, 0.3, 0.8];
    const normal = (v: number): number => Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
    const cases: [Op, (v: number) => number][] = [
      [tanh, (v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)],
      [sigmoid, (v) => sigmoidRef(v) * (1 - sigmoidRef(v)) * (1 - 2 * sigmoidRef(v))],
      [exp, Math.exp],
      [gelu, (v) => normal(v) * (2 - v * v)],
    ];
    for (const [op, d2] of cases) {
      const t = tensor(pts, { dtype: 'float64', requiresGrad: true });
      sum(op(t)).backward(undefined, { createGraph: true });
      const g = t.grad!;
      t.grad = null;
      sum(g).backward();
      expectClose(await values(t.grad!), pts.map(d2), 1e-12, 1e-10);
    }
  });
});
