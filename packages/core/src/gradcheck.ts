import { noGrad, tidy } from './engine.js';
import { HeadsplatError } from './errors.js';
import { tensor } from './ops/creation.js';
import { Tensor } from './tensor.js';

export interface GradcheckOptions {
  /** Central-difference step. Default 1e-6. */
  eps?: number;
  /** Absolute tolerance. Default 1e-6. */
  atol?: number;
  /** Relative tolerance (to |numeric|). Default 1e-4. */
  rtol?: number;
  /** Upstream gradient: seeded random values (default) or ones. */
  upstream?: 'random' | 'ones';
  /** Seed of the random upstream gradient. Default 1. */
  seed?: number;
}

export interface GradcheckReport {
  /** Per input: the largest |analytic - numeric| and the element where it occurred (-1: not checked). */
  inputs: { maxAbsError: number; at: number; checked: boolean }[];
}

/** Small deterministic generator for the upstream gradient (mulberry32). */
function upstreamValues(n: number, kind: 'random' | 'ones', seed: number): Float64Array {
  const out = new Float64Array(n);
  if (kind === 'ones') return out.fill(1);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

function toF64(t: Tensor, requiresGrad: boolean): Tensor {
  if (t.device !== 'cpu') throw new HeadsplatError(`gradcheck: inputs must be CPU tensors, got one on '${t.device}'`);
  const src = t.dataSync();
  const x = tensor(Float64Array.from(src, Number), { shape: [...t.shape], dtype: t.dtype === 'float32' || t.dtype === 'float64' ? 'float64' : t.dtype });
  if (requiresGrad) x.requiresGrad_(true);
  return x;
}

/**
 * Compares autograd gradients with central finite differences, in float64 on the CPU.
 * Float inputs with `requiresGrad` are checked (all float inputs if none requires grad);
 * integer inputs pass through. The scalar differentiated is sum(fn(x) * r) with a seeded
 * random r, so every output element and its gradient path is exercised.
 * Returns the per-input errors; use `gradcheck` to throw on a mismatch.
 */
export function gradcheckReport(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckReport & { ok: boolean; message: string } {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-6;
  const rtol = opts.rtol ?? 1e-4;
  const anyMarked = inputs.some((t) => t.requiresGrad);
  const check = inputs.map((t) => (t.dtype === 'float32' || t.dtype === 'float64') && (!anyMarked || t.requiresGrad));
  const report: GradcheckReport['inputs'] = [];
  let message = '';
  tidy(() => {
    const xs = inputs.map((t, i) => toF64(t, check[i]));
    const out = fn(...xs);
    if (!(out instanceof Tensor)) throw new HeadsplatError('gradcheck: fn must return a Tensor');
    if (out.dtype !== 'float64') throw new HeadsplatError(`gradcheck: fn must keep float64 (got ${out.dtype}); do not cast inside fn`);
    const r = upstreamValues(out.size, opts.upstream ?? 'random', opts.seed ?? 1);
    out.backward(tensor(r, { shape: [...out.shape], dtype: 'float64' }));
    const objective = (args: Tensor[]): number =>
      tidy(() => {
        const o = noGrad(() => fn(...args)).dataSync();
        let s = 0;
        for (let k = 0; k < o.length; k++) s += o[k] * r[k];
        return s as unknown as void;
      }) as unknown as number;
    xs.forEach((x, xi) => {
      if (!check[xi]) {
        report.push({ maxAbsError: 0, at: -1, checked: false });
        return;
      }
      const base = x.dataSync() as Float64Array;
      const analytic = x.grad ? (x.grad.dataSync() as Float64Array) : new Float64Array(x.size);
      let worst = 0;
      let at = -1;
      for (let i = 0; i < x.size; i++) {
        const f = (d: number): number => {
          const b = base.slice();
          b[i] += d;
          const args = xs.map((y, j) => (j === xi ? tensor(b, { shape: [...x.shape], dtype: 'float64' }) : y.detach()));
          return objective(args);
        };
        const numeric = (f(eps) - f(-eps)) / (2 * eps);
        const err = Math.abs(numeric - analytic[i]);
        if (err > worst) {
          worst = err;
          at = i;
        }
        if (!message && err > atol + rtol * Math.abs(numeric)) {
          message = `gradcheck: input ${xi} (shape [${x.shape.join(', ')}]) element ${i}: analytic ${analytic[i]}, numeric ${numeric} (atol ${atol}, rtol ${rtol})`;
        }
      }
      report.push({ maxAbsError: worst, at, checked: true });
    });
    for (const x of xs) {
      x.grad?.dispose();
      x.grad = null;
    }
  });
  return { inputs: report, ok: !message, message };
}

/**
 * Throws a HeadsplatError naming the input, element, analytic and numeric values on
 * mismatch; returns true otherwise (so `expect(gradcheck(...)).toBe(true)` reads well).
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): true {
  const r = gradcheckReport(fn, inputs, opts);
  if (!r.ok) throw new HeadsplatError(r.message);
  return true;
}
