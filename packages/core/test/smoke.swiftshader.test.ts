/**
 * SwiftShader smoke subset (vitest project `swiftshader`, which sets
 * HEADSPLAT_VK_DRIVER=swiftshader): checks that the adapter really is SwiftShader, then
 * runs a few representative kernels (a fused elementwise chain, reductions, batched
 * matmul, conv2d on SwiftShader's small-tile path, gridSample and a backward pass
 * through all of them) against the CPU backend. Not part of the per-package projects.
 * Run: pnpm exec vitest run --project swiftshader
 */
import { getSharedDevice } from '@headsplat/gpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  add, conv2d, div, exp, gridSample, logsumexp, matmul, max, maximum, mean, mul, pow, rand, relu, softplus, sub, sum, tanh,
  type Device, type Tensor,
} from '../src/index.js';
import { initWebGPU } from '../src/backends/webgpu/index.js';
import { expectClose, values } from './harness.js';

let ready = false;
let description = '';

beforeAll(async () => {
  try {
    const handle = await getSharedDevice();
    description = handle.description;
    const backend = await initWebGPU();
    expect(backend.device).toBe(handle.device);
    ready = true;
    console.log(`[swiftshader] adapter: ${description} (driver ${handle.driver})`);
  } catch (e) {
    if (process.env.CI === 'true') throw new Error(`WebGPU on SwiftShader is required under CI=true: ${(e as Error).message}`);
    console.warn(`[swiftshader] skipping: ${(e as Error).message}`);
  }
}, 120_000);

/** Runs `fn` on the CPU and on WebGPU with the same seeded inputs; returns both results' values. */
async function both(fn: (device: Device) => Tensor[]): Promise<[number[][], number[][]]> {
  const run = async (device: Device) => Promise.all(fn(device).map((t) => values(t)));
  return [await run('cpu'), await run('webgpu')];
}

// float32 tolerances against the CPU oracle: elementwise/reductions 2e-5; products and
// convolutions sum up to ~30 terms, gradients up to a few hundred: 1e-4 + 1e-4·|ref|.
const TOL = 2e-5;
const SUM_TOL = 1e-4;

describe('SwiftShader smoke [webgpu]', () => {
  const gpuIt = (name: string, fn: () => Promise<void>): void => {
    it(name, async (ctx) => {
      if (!ready) return ctx.skip();
      await fn();
    });
  };

  gpuIt('runs on SwiftShader (adapter info), as the vitest project selects', async () => {
    expect(process.env.HEADSPLAT_VK_DRIVER).toBe('swiftshader');
    expect(description).toMatch(/swiftshader/i);
    const backend = await initWebGPU();
    // conv.ts picks its SwiftShader tile from the same field.
    const info = (backend.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    expect(info?.description ?? '').toMatch(/swiftshader/i);
  });

  gpuIt('a fused elementwise chain matches the CPU', async () => {
    const [cpu, gpu] = await both((device) => {
      const x = rand([5, 37], { seed: 1, device, low: -3, high: 3 });
      const y = rand([5, 37], { seed: 2, device, low: 0.5, high: 2 });
      // pow with integer exponents of negative bases, softplus across its branch points.
      return [div(maximum(sub(mul(add(x, y), 1.5), x), 0.25), y), add(tanh(x), softplus(mul(x, 10))), exp(x), pow(x, 3), pow(x, -2)];
    });
    for (let k = 0; k < cpu.length; k++) expectClose(gpu[k], cpu[k], TOL, TOL);
  });

  gpuIt('reductions over several axes match the CPU', async () => {
    const [cpu, gpu] = await both((device) => {
      const x = rand([3, 40, 7], { seed: 3, device, low: -1, high: 1 });
      return [sum(x, [0, 2]), mean(x, 1, true), max(x, [1]), logsumexp(x, -1), sum(x)];
    });
    for (let k = 0; k < cpu.length; k++) expectClose(gpu[k], cpu[k], TOL, TOL);
  });

  gpuIt('a broadcast batched matmul with odd sizes matches the CPU', async () => {
    const [cpu, gpu] = await both((device) => {
      const a = rand([2, 1, 33, 17], { seed: 4, device, low: -1, high: 1 });
      const b = rand([3, 17, 21], { seed: 5, device, low: -1, high: 1 });
      return [matmul(a, b), matmul(b, a, { transposeA: true, transposeB: true })];
    });
    expect(cpu[0].length).toBe(2 * 3 * 33 * 21);
    for (let k = 0; k < cpu.length; k++) expectClose(gpu[k], cpu[k], SUM_TOL, SUM_TOL);
  });

  gpuIt('conv2d (stride, padding, dilation, groups, bias) matches the CPU', async () => {
    const [cpu, gpu] = await both((device) => {
      const x = rand([2, 4, 11, 9], { seed: 6, device, low: -1, high: 1 });
      const w = rand([6, 2, 3, 3], { seed: 7, device, low: -1, high: 1 });
      const bias = rand([6], { seed: 8, device, low: -1, high: 1 });
      return [
        conv2d(x, w, { bias, stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }),
        conv2d(x, rand([5, 4, 3, 3], { seed: 9, device, low: -1, high: 1 }), { padding: 1 }),
      ];
    });
    for (let k = 0; k < cpu.length; k++) expectClose(gpu[k], cpu[k], SUM_TOL, SUM_TOL);
  });

  gpuIt('gridSample (bilinear, both alignCorners, zeros and border) matches the CPU', async () => {
    const [cpu, gpu] = await both((device) => {
      const x = rand([2, 3, 5, 6], { seed: 10, device, low: -1, high: 1 });
      const grid = rand([2, 4, 3, 2], { seed: 11, device, low: -1.2, high: 1.2 });
      return [gridSample(x, grid), gridSample(x, grid, { alignCorners: true, paddingMode: 'border' })];
    });
    for (let k = 0; k < cpu.length; k++) expectClose(gpu[k], cpu[k], TOL, TOL);
  });

  gpuIt('a backward pass through conv2d, gridSample, matmul and relu gives the CPU gradients', async () => {
    const [cpu, gpu] = await both((device) => {
      const x = rand([1, 3, 8, 8], { seed: 12, device, low: -1, high: 1 }).requiresGrad_();
      const w = rand([4, 3, 3, 3], { seed: 13, device, low: -0.5, high: 0.5 }).requiresGrad_();
      const grid = rand([1, 5, 5, 2], { seed: 14, device, low: -0.9, high: 0.9 }).requiresGrad_();
      const m = rand([5, 6], { seed: 15, device, low: -1, high: 1 }).requiresGrad_();
      const h = relu(conv2d(x, w, { padding: 1 })); // (1, 4, 8, 8)
      const s = gridSample(h, grid); // (1, 4, 5, 5)
      const loss = mean(mul(matmul(s, m), matmul(s, m))); // (1, 4, 5, 6)
      loss.backward();
      return [loss, x.grad!, w.grad!, grid.grad!, m.grad!];
    });
    expectClose(gpu[0], cpu[0], TOL, TOL);
    for (let k = 1; k < cpu.length; k++) expectClose(gpu[k], cpu[k], SUM_TOL, SUM_TOL);
    // The gradients are not trivially zero.
    for (let k = 1; k < cpu.length; k++) expect(Math.max(...cpu[k].map(Math.abs))).toBeGreaterThan(1e-4);
  });
});
