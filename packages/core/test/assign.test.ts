/**
 * assign_(target, source): in-place copy into target's own storage, unrecorded, on every
 * backend; its ordering with pending fused work on WebGPU, the saved-tensor version check,
 * its errors; and hasKernel.
 */
import { describe, expect, it } from 'vitest';
import {
  add, assign_, getBackend, hasKernel, liveBuffers, liveTensors, matmul, mul, noGrad, reshape, sub, sum, tensor, tidy,
} from '../src/index.js';
import { describeBackends, values } from './harness.js';

describeBackends('assign_', ({ device }) => {
  it('copies the values into the same storage, records nothing and keeps requiresGrad and .grad', async () => {
    const w = tensor([1, 2, 3, 4], { device, shape: [2, 2], requiresGrad: true });
    sum(mul(w, w)).backward();
    const grad = w.grad!;
    const storage = w.storage;
    const view = reshape(w.detach(), [4]);
    const src = tensor([5, 6, 7, 8], { device, shape: [2, 2] });
    await values(src);
    const [t0, b0] = [liveTensors(), liveBuffers(device)];
    expect(assign_(w, src)).toBe(w);
    expect(await values(w)).toEqual([5, 6, 7, 8]);
    expect(w.storage).toBe(storage);
    expect(w.isLeaf && w.requiresGrad).toBe(true);
    expect(w.grad).toBe(grad);
    expect(await values(grad)).toEqual([2, 4, 6, 8]);
    // Views share the storage, so they see the write (as torch's in-place ops).
    expect(await values(view)).toEqual([5, 6, 7, 8]);
    // The source is untouched and no tensor or buffer was created.
    expect(await values(src)).toEqual([5, 6, 7, 8]);
    expect([liveTensors(), liveBuffers(device)]).toEqual([t0, b0]);
    for (const t of [w, grad, view, src]) t.dispose();
  });

  it('an SGD step written with assign_ under noGrad trains and leaks nothing', async () => {
    const w = tensor([0, 0], { device, requiresGrad: true });
    const target = tensor([1, -2], { device });
    const losses: number[] = [];
    let base: [number, number] | undefined;
    for (let k = 0; k < 5; k++) {
      const loss = tidy(() => {
        const d = sub(w, target);
        const l = sum(mul(d, d));
        l.backward();
        noGrad(() => assign_(w, sub(w, mul(w.grad!, 0.25))));
        return l.detach();
      });
      w.grad!.dispose();
      w.grad = null;
      losses.push(await loss.item());
      loss.dispose();
      base ??= [liveTensors(), liveBuffers(device)];
      expect([liveTensors(), liveBuffers(device)]).toEqual(base);
    }
    // Gradient 2(w − t), step 0.25: the error halves each step, the loss quarters.
    for (let k = 1; k < 5; k++) expect(losses[k]).toBeCloseTo(losses[k - 1] / 4, 4);
    expect(await values(w)).toEqual([1 - 1 / 32, -2 + 2 / 32]);
    for (const t of [w, target]) t.dispose();
  });

  it('is ordered after pending reads of the target (fused expressions on WebGPU)', async () => {
    const p = tensor([1, 2, 3], { device });
    const y = add(mul(p, 2), 1); // lazy on WebGPU: not computed yet
    assign_(p, tensor([10, 20, 30], { device }));
    expect(await values(y)).toEqual([3, 5, 7]);
    expect(await values(mul(p, 2))).toEqual([20, 40, 60]);
  });

  it('a backward through a tensor saved before an assign_ throws instead of using the new values', () => {
    const w = tensor([[1, 2], [3, 4]], { device, requiresGrad: true });
    const x = tensor([[1, 0], [0, 1]], { device });
    const out = sum(matmul(x, w));
    noGrad(() => assign_(w, tensor([[0, 0], [0, 0]], { device })));
    expect(() => out.backward()).toThrow(/backward: tensor \d saved by 'matmul' .* was modified in place by assign_/);
  });

  it('rejects a different shape, dtype or device, a non-leaf target and a disposed tensor', () => {
    const t = tensor([1, 2, 3], { device });
    expect(() => assign_(t, tensor([1, 2], { device }))).toThrow(/assign_: source must have target's shape \[3\], got \[2\]/);
    expect(() => assign_(t, tensor([1, 2, 3], { device, dtype: 'int32' }))).toThrow(/assign_: source must have target's dtype float32, got int32/);
    const other = device === 'cpu' ? null : tensor([1, 2, 3]);
    if (other) expect(() => assign_(t, other)).toThrow(/assign_: source must be on target's device 'webgpu', got 'cpu'/);
    const leaf = tensor([1, 2, 3], { device, requiresGrad: true });
    expect(() => assign_(mul(leaf, 2), t)).toThrow(/assign_: target must be a leaf tensor .* 'mul'/);
    const gone = tensor([1, 2, 3], { device });
    gone.dispose();
    expect(() => assign_(t, gone)).toThrow(/assign_: tensor \d+ .* was disposed/);
    expect(() => assign_(t, [1, 2, 3] as never)).toThrow(/assign_: source must be a Tensor/);
  });
});

describe('hasKernel', () => {
  it('takes a device name or a backend object', () => {
    expect(hasKernel('cpu', 'Assign')).toBe(true);
    expect(hasKernel(getBackend('cpu'), 'MatMul')).toBe(true);
    expect(hasKernel('cpu', 'NoSuchKernel')).toBe(false);
    expect(() => hasKernel(42 as never, 'MatMul')).toThrow(/hasKernel: backend must be a device name or a Backend, got 42/);
  });
});
