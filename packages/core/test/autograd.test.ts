import { expect, it } from 'vitest';
import {
  conv2d, defineOp, getBackend, keep, liveTensors, logSoftmax, matmul, max, mean, variance, mul, noGrad, powScalar, rand, relu, square, sub, sum, tensor, tidy, unsqueeze,
  type Tensor,
} from '../src/index.js';
import { kernelImpl, registerKernel } from '../src/op.js';
import { describeBackends, expectClose, values } from './harness.js';

/** x (N, I) · w (I, O) as a broadcast product summed over I (no MatMul kernel needed). */
const dense = (x: Tensor, w: Tensor): Tensor => sum(mul(unsqueeze(x, 2), w), 1);

describeBackends('autograd engine', ({ device, tol }) => {
  it('tidy disposes temporaries and keeps returned tensors (also inside arrays and objects)', async () => {
    const x = tensor([1, 2, 3], { device });
    const before = liveTensors();
    const { a, list } = tidy(() => {
      const t = mul(x, 2);
      const u = square(t);
      return { a: sum(u), list: [u] };
    });
    expect(liveTensors()).toBe(before + 2);
    expect(await values(a)).toEqual([56]);
    expect(await values(list[0])).toEqual([4, 16, 36]);
    a.dispose();
    list[0].dispose();
    expect(liveTensors()).toBe(before);
  });

  it('composite ops free their intermediates without a tidy, forward and backward', () => {
    const x = rand([3, 4], { seed: 5, device }).requiresGrad_();
    const t0 = liveTensors();
    const b0 = getBackend(device).liveBuffers();
    const y = logSoftmax(x, 1);
    const v = variance(y, [0, 1]);
    // Until backward, the graph's saved tensors are alive as well.
    v.backward();
    expect(liveTensors()).toBe(t0 + 3); // y, v and x.grad
    x.grad!.dispose();
    x.grad = null;
    v.dispose();
    y.dispose();
    expect(liveTensors()).toBe(t0);
    expect(getBackend(device).liveBuffers()).toBe(b0);
  });

  it('an op that returns its input unchanged inside a tidy does not hand the input to that tidy', async () => {
    const x = tensor([1, 2], { device });
    const r = tidy(() => sum(max(x, []), []));
    expect(r).toBe(x);
    expect(x.isDisposed).toBe(false);
    expect(await values(x)).toEqual([1, 2]);
  });

  it('keep() exempts a tensor from the enclosing tidy', () => {
    const before = liveTensors();
    let kept: Tensor | undefined;
    tidy(() => {
      kept = keep(tensor([1], { device }));
      tensor([2], { device });
    });
    expect(liveTensors()).toBe(before + 1);
    kept!.dispose();
  });

  it('accumulates leaf gradients over two backward calls', async () => {
    const x = tensor([1, 2], { device, requiresGrad: true });
    sum(square(x)).backward();
    sum(mul(x, 3)).backward();
    expect(await values(x.grad!)).toEqual([2 + 3, 4 + 3]);
  });

  it('retainGraph lets backward run twice; without it the second run names the freed op', async () => {
    const x = tensor([1, 2], { device, requiresGrad: true });
    const y = sum(square(x));
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(await values(x.grad!)).toEqual([4, 8]);
    expect(() => y.backward()).toThrow(/backward: the graph through '(sum|square)' was already freed by a previous backward; pass \{ retainGraph: true \}/);
  });

  it('noGrad records nothing; detach cuts the graph', async () => {
    const x = tensor([1, 2], { device, requiresGrad: true });
    const y = noGrad(() => square(x));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const z = sum(mul(square(x).detach(), x));
    z.backward();
    expect(await values(x.grad!)).toEqual([1, 4]); // d/dx (c·x) with c = x² held constant
  });

  it('defineOp: a custom op with forward, backward and an onRelease hook', async () => {
    let released = 0;
    const cube = defineOp({
      name: 'cube',
      forward: (ctx, t: Tensor) => {
        ctx.save(t);
        ctx.onRelease(() => released++);
        return mul(t, square(t));
      },
      backward: (ctx, g) => [mul(g!, mul(square(ctx.saved[0]), 3))],
    }) as (t: Tensor) => Tensor;
    const x = tensor([1, -2], { device, requiresGrad: true });
    const y = cube(x);
    expect(await values(y)).toEqual([1, -8]);
    expect(released).toBe(0);
    sum(y).backward();
    expect(await values(x.grad!)).toEqual([3, 12]);
    expect(released).toBe(1); // saved tensors freed after a backward without retainGraph
    const y2 = cube(x);
    y2.dispose(); // dropping the only output frees the node
    expect(released).toBe(2);
  });

  it('createGraph: d/dx (d/dx x³) = 6x, through powScalar and through products', async () => {
    for (const f of [(t: Tensor) => powScalar(t, 3), (t: Tensor) => mul(t, mul(t, t))]) {
      const x = tensor([0.5, -1, 2], { device, requiresGrad: true });
      sum(f(x)).backward(undefined, { createGraph: true });
      const g = x.grad!;
      expectClose(await values(g), [0.75, 3, 12], tol, tol);
      x.grad = null;
      sum(g).backward();
      expectClose(await values(x.grad!), [3, -6, 12], tol, tol);
    }
  });

  it('a tidy training step returns liveTensors and live buffers to their baseline', async () => {
    let w1 = rand([4, 8], { seed: 1, device, low: -0.5, high: 0.5 }).requiresGrad_();
    let w2 = rand([8, 1], { seed: 2, device, low: -0.5, high: 0.5 }).requiresGrad_();
    const xs = rand([16, 4], { seed: 3, device });
    const ys = rand([16, 1], { seed: 4, device });
    const losses: number[] = [];
    const step = (): void => {
      const loss = tidy(() => {
        const pred = dense(relu(dense(xs, w1)), w2);
        const l = mean(square(sub(pred, ys)));
        l.backward();
        const n1 = keep(sub(w1, mul(w1.grad!, 0.1)).detach().requiresGrad_());
        const n2 = keep(sub(w2, mul(w2.grad!, 0.1)).detach().requiresGrad_());
        for (const w of [w1, w2]) {
          w.grad!.dispose();
          w.dispose();
        }
        [w1, w2] = [n1, n2];
        return l.detach();
      });
      if (device === 'cpu') losses.push(loss.dataSync()[0]);
      loss.dispose();
    };
    step(); // warm-up: caches, pools
    const t0 = liveTensors();
    const b0 = getBackend(device).liveBuffers();
    for (let i = 0; i < 3; i++) step();
    expect(liveTensors()).toBe(t0);
    expect(getBackend(device).liveBuffers()).toBe(b0);
    if (device === 'cpu') expect(losses[3]).toBeLessThan(losses[0]);
  });
});

it('skips the gradient products of inputs that do not require grad (matmul, conv2d)', () => {
  const counted = ['MatMul', 'Conv2d', 'Conv2dBackpropInput', 'Conv2dBackpropFilter'];
  const calls = new Map<string, number>();
  const originals = counted.map((name) => [name, kernelImpl('cpu', name)!] as const);
  for (const [name, impl] of originals) {
    registerKernel('cpu', name, (inputs, attrs, backend) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return impl(inputs, attrs, backend);
    });
  }
  try {
    // A first layer: the input x does not require grad, so no dX product runs.
    const x = rand([5, 3], { seed: 1 });
    const w = rand([3, 2], { seed: 2 }).requiresGrad_();
    const y = matmul(x, w);
    calls.clear();
    sum(y).backward();
    expect(calls.get('MatMul')).toBe(1);
    expect(x.grad).toBeNull();
    // dW = x^T 1
    const xv = x.dataSync() as Float32Array;
    const want = [0, 1, 2].flatMap((i) => [0, 1].map(() => xv[i] + xv[3 + i] + xv[6 + i] + xv[9 + i] + xv[12 + i]));
    expectClose(Array.from(w.grad!.dataSync()), want, 1e-5);
    // Both inputs requiring grad: two products.
    const x2 = rand([5, 3], { seed: 3 }).requiresGrad_();
    const y2 = sum(matmul(x2, w));
    calls.clear();
    y2.backward();
    expect(calls.get('MatMul')).toBe(2);
    expect(x2.grad).not.toBeNull();

    const img = rand([1, 2, 6, 6], { seed: 4 });
    const k = rand([3, 2, 3, 3], { seed: 5 }).requiresGrad_();
    calls.clear();
    sum(conv2d(img, k, { padding: 1 })).backward();
    expect(calls.get('Conv2dBackpropInput') ?? 0).toBe(0);
    expect(calls.get('Conv2dBackpropFilter')).toBe(1);
    expect(img.grad).toBeNull();
    expect(k.grad).not.toBeNull();
  } finally {
    for (const [name, impl] of originals) registerKernel('cpu', name, impl);
  }
});
