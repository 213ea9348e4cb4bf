import { describe, expect, it } from 'vitest';
import { cast, defineOp, gradcheck, gradcheckReport, indexSelect, mul, rand, sum, tensor, type Tensor } from '../src/index.js';

/** x², with a deliberately wrong backward (3x instead of 2x) when `wrong`. */
function squareOp(wrong: boolean): (x: Tensor) => Tensor {
  return defineOp({
    name: 'testSquare',
    forward: (ctx, x: Tensor) => {
      ctx.save(x);
      return mul(x, x);
    },
    backward: (ctx, g) => [mul(g!, mul(ctx.saved[0], wrong ? 3 : 2))],
  }) as (x: Tensor) => Tensor;
}

describe('gradcheck [cpu]', () => {
  const x = (): Tensor => rand([2, 3], { seed: 9, low: 0.5, high: 1.5 });

  it('accepts a correct gradient, from float32 inputs promoted to float64', () => {
    expect(gradcheck(squareOp(false), [x()])).toBe(true);
    expect(gradcheck(squareOp(false), [x()], { upstream: 'ones' })).toBe(true);
  });

  it('throws naming the input, the element, the analytic and the numeric values', () => {
    expect(() => gradcheck(squareOp(true), [x()])).toThrow(/gradcheck: input 0 \(shape \[2, 3\]\) element 0: analytic -?[\d.e-]+, numeric -?[\d.e-]+/);
  });

  it('reports the faulty input of several, with per-input maximum errors', () => {
    const f = (a: Tensor, b: Tensor): Tensor => mul(a, squareOp(true)(b));
    const r = gradcheckReport(f, [x(), rand([2, 3], { seed: 2 })]);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^gradcheck: input 1 /);
    expect(r.inputs[0].maxAbsError).toBeLessThan(1e-8);
    expect(r.inputs[1].maxAbsError).toBeGreaterThan(1e-3);
    expect(r.inputs.every((i) => i.checked)).toBe(true);
  });

  it('checks only the inputs marked requiresGrad when some are; integer inputs pass through', () => {
    const f = (a: Tensor, b: Tensor, idx: Tensor): Tensor => indexSelect(mul(a, squareOp(true)(b)), 0, idx);
    const idx = tensor([1, 0, 1], { dtype: 'int32' });
    const r = gradcheckReport(f, [x().requiresGrad_(), x(), idx]);
    expect(r.ok).toBe(true);
    expect(r.inputs.map((i) => i.checked)).toEqual([true, false, false]);
  });

  it('the seeded random upstream catches a gradient that only sums correctly', () => {
    // Backward returns the right total but the wrong distribution across elements.
    const swapped = defineOp({
      name: 'swapped',
      forward: (_ctx, t: Tensor) => mul(t, tensor([1, 2], { dtype: 'float64' })),
      backward: (_ctx, g) => [mul(sum(g!), tensor([0.5, 0.5], { dtype: 'float64' }))],
    }) as (t: Tensor) => Tensor;
    const input = tensor([1, 1], { dtype: 'float64' });
    expect(() => gradcheck((t) => sum(swapped(t)), [input])).toThrow(/gradcheck: input 0/);
    expect(() => gradcheck(swapped, [input])).toThrow(/gradcheck: input 0/);
  });

  it('refuses a function that leaves float64', () => {
    expect(() => gradcheck((t) => cast(t, 'float32'), [x()])).toThrow(/gradcheck: fn must keep float64/);
  });
});
