/**
 * Elementwise fusion: a chain of 5 elementwise ops over 1M elements, fused (one
 * dispatch) vs unfused (`backend.fusion = false`: one dispatch per op). Logs both
 * timings; asserts that both give the CPU's values and the dispatch counts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { add, maximum, mul, sub, div, tensor, tidy, type Tensor } from '../src/index.js';
import { initWebGPU, st, type WebGPUBackend } from '../src/backends/webgpu/index.js';
import { expectClose, requireWebGPU } from './harness.js';

let backend: WebGPUBackend | undefined;
beforeAll(async () => {
  try {
    backend = await initWebGPU();
  } catch {
    // No adapter: requireWebGPU (harness) fails each WebGPU test under CI=true, skips it elsewhere.
  }
}, 120_000);

const chain = (x: Tensor, y: Tensor): Tensor => div(maximum(sub(mul(add(x, y), 1.5), x), 0.25), y);

describe('elementwise fusion [webgpu]', () => {
  requireWebGPU('webgpu-fusion');
  it('computes a 5-op chain over 1M elements in one dispatch, as fast or faster than 5', async (ctx) => {
    const b = backend;
    if (!b) return ctx.skip();
    const n = 1 << 20;
    const xv = new Float32Array(n).map((_, i) => Math.sin(i));
    const yv = new Float32Array(n).map((_, i) => 1.5 + Math.cos(i));
    const cpu = chain(tensor(xv), tensor(yv)).dataSync();
    const x = tensor(xv, { device: 'webgpu' });
    const y = tensor(yv, { device: 'webgpu' });
    const time = async (fused: boolean) => {
      b.fusion = fused;
      const d0 = b.stats().dispatches;
      let best = Infinity;
      let out: Float32Array | undefined;
      for (let rep = 0; rep < 6; rep++) {
        await b.sync();
        const t0 = performance.now();
        const r = tidy(() => chain(x, y));
        b.bufferOf(st(r));
        await b.sync();
        best = Math.min(best, performance.now() - t0);
        if (rep === 0) out = (await r.data()) as Float32Array;
        r.dispose();
      }
      return { ms: best, out: out!, dispatches: (b.stats().dispatches - d0) / 6 };
    };
    try {
      const unfused = await time(false);
      const fused = await time(true);
      console.log(`[fusion] 5-op chain, 1M elements: unfused ${unfused.ms.toFixed(1)} ms (${unfused.dispatches} dispatches), fused ${fused.ms.toFixed(1)} ms (${fused.dispatches} dispatch)`);
      expect(unfused.dispatches).toBe(5);
      expect(fused.dispatches).toBe(1);
      expectClose(fused.out.subarray(0, 4096), cpu.subarray(0, 4096), 1e-5, 1e-5);
      expectClose(unfused.out.subarray(0, 4096), cpu.subarray(0, 4096), 1e-5, 1e-5);
    } finally {
      b.fusion = true;
      x.dispose();
      y.dispose();
    }
  });
});
