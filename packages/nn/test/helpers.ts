import { expect } from 'vitest';
import { Generator, mul, sum, tensor, tidy, type Tensor } from '@headsplat/core';
import type { Parameter } from '../src/index.js';

/**
 * Central finite differences on the parameters of a float64 CPU module: compares the
 * autograd gradient of sum(fn() * r) (r seeded random) with (f(p + eps) - f(p - eps)) / 2eps
 * on up to `maxPerParam` elements of each parameter.
 */
export function checkParamGrads(fn: () => Tensor, params: Parameter[], opts: { eps?: number; atol?: number; rtol?: number; maxPerParam?: number } = {}): void {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-6;
  const rtol = opts.rtol ?? 1e-4;
  const out0 = tidy(() => fn().detach());
  const gen = new Generator(7);
  const r = tensor(Float64Array.from({ length: out0.size }, () => gen.nextFloat64() * 2 - 1), { shape: [...out0.shape], dtype: 'float64' });
  out0.dispose();
  for (const p of params) { p.grad?.dispose(); p.grad = null; }
  const loss = sum(mul(fn(), r));
  loss.backward();
  const scalar = (): number => tidy(() => sum(mul(fn(), r)).dataSync()[0]);
  for (const p of params) {
    expect(p.dtype, 'checkParamGrads needs float64 parameters').toBe('float64');
    const analytic = p.grad!.dataSync();
    const base = Float64Array.from(p.dataSync());
    const n = Math.min(base.length, opts.maxPerParam ?? 40);
    const stride = Math.max(1, Math.floor(base.length / n));
    for (let i = 0; i < base.length; i += stride) {
      const v = base.slice();
      v[i] = base[i] + eps;
      p.assign_(tensor(v, { shape: [...p.shape], dtype: 'float64' }));
      const fp = scalar();
      v[i] = base[i] - eps;
      p.assign_(tensor(v, { shape: [...p.shape], dtype: 'float64' }));
      const fm = scalar();
      p.assign_(tensor(base, { shape: [...p.shape], dtype: 'float64' }));
      const num = (fp - fm) / (2 * eps);
      if (Math.abs(num - analytic[i]) > atol + rtol * Math.abs(num)) {
        expect.fail(`parameter [${p.shape.join(', ')}] element ${i}: autograd ${analytic[i]}, finite difference ${num}`);
      }
    }
  }
}
