/**
 * Memory safety of a whole training step: a 2-layer MLP (forward, MSE, backward, an
 * Adam update written with core ops), run several times inside tidy. The backend's
 * live-buffer count and liveTensors() must come back to their baseline after every
 * step, on every backend. On WebGPU it also reports the submits per step.
 */
import { expect, it } from 'vitest';
import * as core from '../src/index.js';
import { add, defineOp, div, getBackend, keep, liveTensors, matmul, mul, noGrad, pow, rand, sub, tidy, type Tensor } from '../src/index.js';
import { hasKernel, runKernel } from '../src/op.js';
import { view } from '../src/ops/matmul.js';
import type { KernelAttrs } from '../src/kernel-names.js';
import { describeBackends } from './harness.js';

// Sum and relu are declared here with the public custom-op API on the catalog kernels,
// so that the test depends only on the primitives (the ops with the same gradients
// live in src/ops); matmul is used where the backend has a MatMul kernel.
function sumAxes(x: Tensor, axes: number[]): Tensor {
  const keepShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const shape = [...x.shape];
  return defineOp({
    name: 'sumAxes',
    forward: (_ctx, t: Tensor) => runKernel<KernelAttrs['Reduce']>('Reduce', [t], { op: 'sum', axes })[0],
    backward: (_ctx, g) => [runKernel<KernelAttrs['BroadcastTo']>('BroadcastTo', [view(g!, keepShape)], { shape })[0]],
  })(x) as Tensor;
}
const relu = defineOp({
  name: 'relu',
  forward: (ctx, x: Tensor) => {
    ctx.save(x);
    return runKernel<KernelAttrs['Unary']>('Unary', [x], { op: 'relu' })[0];
  },
  backward: (ctx, g) => [mul(g!, runKernel<KernelAttrs['Unary']>('Unary', [ctx.saved[0]], { op: 'step' })[0])],
}) as (x: Tensor) => Tensor;

/** x (N, I) @ w (I, O) + b: matmul, or broadcast-multiply-and-sum where no MatMul kernel exists yet. */
function dense(x: Tensor, w: Tensor, b: Tensor): Tensor {
  if (hasKernel(x.device, 'MatMul')) return add(matmul(x, w), b);
  const [n, i] = x.shape;
  const o = w.shape[1];
  return add(sumAxes(mul(view(x, [n, i, 1]), view(w, [1, i, o])), [1]), b);
}

interface State { params: Tensor[]; m: Tensor[]; v: Tensor[]; t: number }

describeBackends('training-step memory', ({ device }) => {
  it('returns live buffers and tensors to the baseline after each MLP + Adam step', async () => {
    const backend = getBackend(device);
    const shapes = [[4, 16], [16], [16, 1], [1]];
    const x = rand([32, 4], { seed: 1, device, low: -1, high: 1 });
    const y = rand([32, 1], { seed: 2, device, low: -1, high: 1 });
    let state: State = {
      params: shapes.map((s, k) => mul(rand(s, { seed: 10 + k, device, low: -1, high: 1 }), 0.5).detach().requiresGrad_()),
      m: shapes.map((s) => core.zeros(s, { device })),
      v: shapes.map((s) => core.zeros(s, { device })),
      t: 0,
    };
    const gpu = device === 'webgpu' ? (backend as unknown as { flush(): void; stats(): { submits: number; dispatches: number } }) : null;
    const step = (s: State): { next: State; loss: Tensor } => {
      const [w1, b1, w2, b2] = s.params;
      const out = tidy(() => {
        const h = relu(dense(x, w1, b1));
        const pred = dense(h, w2, b2);
        const diff = sub(pred, y);
        const loss = div(sumAxes(mul(diff, diff), [0, 1]), 32);
        loss.backward();
        const t = s.t + 1;
        const [beta1, beta2, lr, eps] = [0.9, 0.999, 0.01, 1e-8];
        const next = noGrad(() =>
          s.params.map((p, k) => {
            const g = p.grad!;
            const m = add(mul(s.m[k], beta1), mul(g, 1 - beta1));
            const v = add(mul(s.v[k], beta2), mul(mul(g, g), 1 - beta2));
            const mHat = div(m, 1 - beta1 ** t);
            const vHat = div(v, 1 - beta2 ** t);
            const p2 = sub(p, div(mul(mHat, lr), add(pow(vHat, 0.5), eps)));
            return { p: keep(p2.detach().requiresGrad_()), m: keep(m), v: keep(v) };
          }),
        );
        return { loss: loss.detach(), next };
      });
      for (const p of s.params) {
        p.grad?.dispose();
        p.dispose();
      }
      for (const t of [...s.m, ...s.v]) t.dispose();
      return { next: { params: out.next.map((n) => n.p), m: out.next.map((n) => n.m), v: out.next.map((n) => n.v), t: s.t + 1 }, loss: out.loss };
    };

    // One warm-up step so that lazily created kernels/pipelines are not counted.
    let r = step(state);
    state = r.next;
    await r.loss.data();
    r.loss.dispose();
    const baseBuffers = backend.liveBuffers();
    const baseTensors = liveTensors();
    const losses: number[] = [];
    for (let k = 0; k < 3; k++) {
      gpu?.flush();
      const s0 = gpu?.stats().submits ?? 0;
      const d0 = gpu?.stats().dispatches ?? 0;
      r = step(state);
      state = r.next;
      losses.push(await r.loss.item());
      if (gpu) {
        const st = gpu.stats();
        console.log(`[leak] ${device} training step ${k}: ${st.submits - s0} submit(s), ${st.dispatches - d0} dispatches (including the loss read)`);
      }
      r.loss.dispose();
      expect(backend.liveBuffers(), `live buffers after step ${k}`).toBe(baseBuffers);
      expect(liveTensors(), `live tensors after step ${k}`).toBe(baseTensors);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[2]).toBeLessThan(losses[0]);
    for (const t of [...state.params, ...state.m, ...state.v, x, y]) t.dispose();
  });
});
