import { describe, expect, it } from 'vitest';
import { liveTensors, mul, square, sum, tensor, tidy, type Tensor } from '@headsplat/core';
import {
  Adam, AdamW, CosineAnnealingLR, ExponentialLR, Linear, Parameter, SGD, StepLR, WarmupLR, clipGradNorm_,
  loadOptimizerState, saveOptimizerState,
} from '../src/index.js';
import { expectClose } from '../../core/test/harness.js';

const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number);

/** loss = sum(c * p²), so g = 2 c p. */
function quadStep(p: Parameter, c: number[]): void {
  tidy(() => {
    sum(mul(square(p), tensor(c))).backward();
  });
}

function adamReference(p0: number[], c: number[], steps: number, o: { lr: number; b1: number; b2: number; eps: number; wd: number; decoupled: boolean }): number[] {
  const p = p0.slice();
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < p.length; i++) {
      let g = 2 * c[i] * p[i];
      if (o.wd && !o.decoupled) g += o.wd * p[i];
      if (o.wd && o.decoupled) p[i] *= 1 - o.lr * o.wd;
      m[i] = o.b1 * m[i] + (1 - o.b1) * g;
      v[i] = o.b2 * v[i] + (1 - o.b2) * g * g;
      const denom = Math.sqrt(v[i]) / Math.sqrt(1 - o.b2 ** t) + o.eps;
      p[i] -= (o.lr / (1 - o.b1 ** t)) * (m[i] / denom);
    }
  }
  return p;
}

describe('optimisers', () => {
  const p0 = [1, -2, 0.5];
  const c = [1, 0.5, 3];

  it('Adam matches the PyTorch update for 3 steps (with L2 weight decay)', () => {
    const p = Parameter.from(tensor(p0));
    const opt = new Adam([p], { lr: 0.1, weight_decay: 0.1 });
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      quadStep(p, c);
      opt.step();
    }
    expectClose(vals(p), adamReference(p0, c, 3, { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.1, decoupled: false }), 1e-6);
  });

  it('AdamW decays weights decoupled from the gradient', () => {
    const p = Parameter.from(tensor(p0));
    const opt = new AdamW([p], { lr: 0.05, weight_decay: 0.5, betas: [0.8, 0.99] });
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      quadStep(p, c);
      opt.step();
    }
    expectClose(vals(p), adamReference(p0, c, 3, { lr: 0.05, b1: 0.8, b2: 0.99, eps: 1e-8, wd: 0.5, decoupled: true }), 1e-6);
  });

  it('SGD with momentum and nesterov matches the reference recursion', () => {
    for (const nesterov of [false, true]) {
      const p = Parameter.from(tensor(p0));
      const opt = new SGD([p], { lr: 0.1, momentum: 0.9, nesterov });
      const ref = p0.slice();
      const buf = [0, 0, 0];
      for (let t = 0; t < 3; t++) {
        opt.zeroGrad();
        quadStep(p, c);
        opt.step();
        for (let i = 0; i < 3; i++) {
          const g = 2 * c[i] * ref[i];
          buf[i] = t === 0 ? g : 0.9 * buf[i] + g;
          ref[i] -= 0.1 * (nesterov ? g + 0.9 * buf[i] : buf[i]);
        }
      }
      expectClose(vals(p), ref, 1e-6);
    }
  });

  it('parameter groups keep their own learning rates', () => {
    const a = Parameter.from(tensor([1]));
    const b = Parameter.from(tensor([1]));
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    quadStep(a, [1]);
    quadStep(b, [1]);
    opt.step();
    expectClose(vals(a), [0.8], 1e-7);
    expectClose(vals(b), [0], 1e-7);
  });

  it('a step leaks no tensors', () => {
    const lin = new Linear(4, 3, { seed: 0 });
    const opt = new Adam(lin.parameters(), { lr: 1e-2 });
    const x = tensor(new Float32Array(8).fill(0.5), { shape: [2, 4] });
    const run = (): void => {
      opt.zeroGrad();
      tidy(() => { sum(square(lin.forward(x))).backward(); });
      opt.step();
    };
    run();
    const before = liveTensors();
    run();
    run();
    expect(liveTensors()).toBe(before);
  });

  it('clipGradNorm_ scales gradients to the max norm and returns the total norm', () => {
    const p = Parameter.from(tensor([1, 1]));
    tidy(() => { sum(mul(p, tensor([3, 4]))).backward(); });
    const total = clipGradNorm_([p], 1);
    expectClose(vals(total), [5], 1e-6);
    expectClose(vals(p.grad!), [0.6, 0.8], 1e-6);
    clipGradNorm_([p], 10);
    expectClose(vals(p.grad!), [0.6, 0.8], 1e-6);
  });

  it('schedulers follow their closed forms', () => {
    const p = Parameter.from(tensor([1]));
    const lrs = (make: (o: SGD) => { step(): void }, n: number): number[] => {
      const opt = new SGD([p], { lr: 1 });
      const s = make(opt);
      const out = [opt.paramGroups[0].options.lr];
      for (let i = 0; i < n; i++) { s.step(); out.push(opt.paramGroups[0].options.lr); }
      return out;
    };
    expectClose(lrs((o) => new ExponentialLR(o, 0.5), 3), [1, 0.5, 0.25, 0.125], 1e-12);
    expectClose(lrs((o) => new StepLR(o, 2, 0.1), 4), [1, 1, 0.1, 0.1, 0.01], 1e-12);
    expectClose(lrs((o) => new CosineAnnealingLR(o, 2), 3), [1, 0.5, 0, 0], 1e-12);
    expectClose(lrs((o) => new WarmupLR(o, 2, { after: (e) => 0.5 ** e }), 4), [0, 0.5, 1, 0.5, 0.25], 1e-12);
  });

  it('optimiser state round-trips through safetensors and resumes identically', async () => {
    const make = (): [Parameter, Adam] => {
      const p = Parameter.from(tensor(p0));
      return [p, new Adam([{ params: [p], lr: 0.1 }], { betas: [0.5, 0.9] })];
    };
    const [pa, a] = make();
    for (let i = 0; i < 2; i++) { a.zeroGrad(); quadStep(pa, c); a.step(); }
    const bytes = await saveOptimizerState(a);
    const [pb, b] = make();
    pb.assign_(pa.clone());
    loadOptimizerState(b, bytes);
    expect(b.stateDict().state[0].step).toBe(2);
    expect(b.stateDict().param_groups[0]).toMatchObject({ lr: 0.1, betas: [0.5, 0.9], params: [0] });
    for (const [p, o] of [[pa, a], [pb, b]] as const) { o.zeroGrad(); quadStep(p, c); o.step(); }
    expect(vals(pb)).toEqual(vals(pa));
  });
});
