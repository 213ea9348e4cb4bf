/**
 * Memory ownership rules, proved with the live-tensor and live-buffer counters on every
 * backend: tidy only moves the tensors it created, number operands of binary ops are
 * freed, and gradient reduction over broadcast axes leaves no intermediate behind.
 */
import { expect, it } from 'vitest';
import { add, div, keep, liveBuffers, liveTensors, mul, pow, rand, sub, sum, tensor, tidy, type Tensor } from '../src/index.js';
import { describeBackends, expectClose, values } from './harness.js';

describeBackends('memory ownership', ({ device, tol }) => {
  /** Counts after reading `t` (a read also flushes pending fused work on WebGPU). */
  const settle = async (...ts: Tensor[]): Promise<[number, number]> => {
    for (const t of ts) await t.data();
    return [liveTensors(), liveBuffers(device)];
  };

  it('tidy does not re-parent a returned tensor created outside its scope', async () => {
    const outside = tensor([1, 2, 3], { device });
    tidy(() => {
      const same = tidy(() => outside);
      expect(same).toBe(outside);
      return undefined;
    });
    // Before the fix the inner tidy moved `outside` into the outer scope, which disposed it.
    expect(outside.isDisposed).toBe(false);
    expect(await values(outside)).toEqual([1, 2, 3]);

    let grand: Tensor | undefined;
    tidy(() => {
      grand = tensor([4], { device });
      tidy(() => {
        tidy(() => grand);
        return undefined;
      });
      // Still owned by this (outer) scope, not by the middle one that just closed.
      expect(grand.isDisposed).toBe(false);
      return undefined;
    });
    expect(grand!.isDisposed).toBe(true);
    outside.dispose();
  });

  it('tidy moves a returned tensor created inside the scope to the enclosing scope', async () => {
    const x = tensor([1, 2], { device });
    let inner: Tensor | undefined;
    const kept = tidy(() => {
      inner = tidy(() => mul(add(x, 1), 2));
      expect(inner.isDisposed).toBe(false);
      return keep(add(inner, 0));
    });
    expect(inner!.isDisposed).toBe(true);
    expect(await values(kept)).toEqual([4, 6]);
    kept.dispose();
    x.dispose();
  });

  it('frees the 0-d tensors that wrap number operands (forward and backward)', async () => {
    const x = rand([3, 4], { seed: 1, device, low: 0.5, high: 2 });
    const [t0, b0] = await settle(x);
    // No tidy: every wrapped scalar must be freed by the op itself, so each op leaves
    // exactly its result (before the fix: the result and a 0-d tensor).
    for (const [name, op] of [['add', add], ['sub', sub], ['mul', mul], ['div', div], ['pow', pow]] as const) {
      const y = op(x, 2);
      const yr = op(2, x);
      const [t1, b1] = await settle(y, yr);
      expect(t1 - t0, `${name}: live tensors`).toBe(2);
      expect(b1 - b0, `${name}: live buffers`).toBe(2);
      y.dispose();
      yr.dispose();
      expect(await settle(x)).toEqual([t0, b0]);
    }

    const w = rand([3, 4], { seed: 2, device, low: 0.5, high: 2 }).requiresGrad_();
    const [t2, b2] = await settle(w);
    const h1 = add(w, 1);
    const h2 = pow(h1, 2);
    const h3 = mul(h2, 0.25);
    const loss = sum(h3);
    loss.backward();
    const [t3, b3] = await settle(h1, h2, h3, loss, w.grad!);
    // The four results and w.grad: the wrapped numbers and the tape are freed.
    expect(t3 - t2).toBe(5);
    expect(b3 - b2).toBe(5);
    expectClose(await values(w.grad!), (await values(w)).map((v) => 0.5 * (v + 1)), tol * 10, tol * 10);
    for (const t of [h1, h2, h3, loss, w.grad!]) t.dispose();
    expect(await settle(w)).toEqual([t2, b2]);
    x.dispose();
    w.dispose();
  });

  it('leaves no intermediate behind when a gradient is summed over broadcast axes', async () => {
    const a = rand([3, 1], { seed: 3, device }).requiresGrad_();
    const b = rand([1, 4], { seed: 4, device }).requiresGrad_();
    const c = rand([4], { seed: 5, device }).requiresGrad_();
    const [t0, b0] = await settle(a, b, c);
    const s1 = add(a, b);
    const out = mul(s1, c);
    const g = tensor(new Array(12).fill(1), { device, shape: [3, 4] });
    out.backward(g);
    const [t1, b1] = await settle(s1, out, g, a.grad!, b.grad!, c.grad!);
    // The two results, the upstream gradient and three gradients: every reduction is gone.
    expect(t1 - t0).toBe(6);
    expect(b1 - b0).toBe(6);
    const [av, bv, cv] = [await values(a), await values(b), await values(c)];
    const sumC = cv.reduce((s, v) => s + v, 0);
    expectClose(await values(a.grad!), av.map(() => sumC), tol * 10, tol * 10);
    expectClose(await values(c.grad!), cv.map((_, j) => av.reduce((s, v) => s + v + bv[j], 0)), tol * 10, tol * 10);
    for (const t of [s1, out, g, a.grad!, b.grad!, c.grad!]) t.dispose();
    expect(await settle(a, b, c)).toEqual([t0, b0]);
    for (const t of [a, b, c]) t.dispose();
  });
});
