/**
 * The GPUBuffer API of the WebGPU rasterizer: input checks with clear errors, the
 * intersection-buffer limit, and agreement of createRasterizer().forward with the
 * typed-array renderWebGPU.
 */

import { webgpuSuite } from '@headsplat/gpu/testing';
import { expect } from 'vitest';
import { renderCpu, renderCpuBackward } from '../src/cpu/index.js';
import { backwardBatch } from '../src/webgpu/backward.js';
import { createRasterizer, type GaussianBuffers, renderWebGPU, renderWebGPUBackward, resolveKernels } from '../src/webgpu/index.js';
import { makeRng, randomScene, randomView } from './cpu-util.js';
import { compare, readF32, upload } from './webgpu-util.js';

webgpuSuite('createRasterizer', (ctx, test) => {
  const rng = makeRng(3);
  const scene = randomScene(rng, { n: 64 });
  const camera = { viewMatrix: randomView(rng), fx: 40, fy: 40, cx: 20, cy: 15, width: 40, height: 30 };
  const buffers = (): GaussianBuffers => ({
    count: 64,
    means: upload(ctx.device, Float32Array.from(scene.means)),
    quats: upload(ctx.device, Float32Array.from(scene.quats)),
    scales: upload(ctx.device, Float32Array.from(scene.scales)),
    opacities: upload(ctx.device, Float32Array.from(scene.opacities)),
    colors: upload(ctx.device, Float32Array.from(scene.colors)),
  });
  const destroy = (g: GaussianBuffers): void => {
    for (const b of [g.means, g.quats, g.scales, g.opacities, g.colors]) b.destroy();
  };

  test('forward on GPUBuffers equals renderWebGPU on typed arrays', async () => {
    const g = buffers();
    const r = createRasterizer(ctx.device);
    const res = await r.forward(g, camera);
    const rgb = await readF32(ctx.device, res.outputs.rgb, 40 * 30 * 3);
    const { output } = await renderWebGPU(ctx.device, scene, camera, { keepState: false });
    expect(Array.from(rgb)).toEqual(Array.from(output.rgb));
    expect(res.state.intersections).toBeGreaterThan(0);
    res.destroy();
    destroy(g);
  }, 60_000);

  test('throws a clear error when the intersections exceed the buffer limit', async () => {
    const g = buffers();
    const r = createRasterizer(ctx.device, { maxIntersectionBytes: 64 });
    await expect(r.forward(g, camera)).rejects.toThrow(/Rasterizer.forward: the scene has \d+ \(tile, Gaussian\) intersections, which need \d+ bytes per buffer, more than the limit of 64 bytes/);
    expect(r.stats().inUse).toBe(0);
    destroy(g);
  }, 60_000);

  test('names the argument, the expected and the actual value for bad inputs', async () => {
    const g = buffers();
    const r = createRasterizer(ctx.device);
    await expect(r.forward({ ...g, count: 65 }, camera)).rejects.toThrow(/Rasterizer.forward: gaussians.means: expected a GPUBuffer of at least 780 bytes \(195 f32\), got 768 bytes/);
    await expect(r.forward({ ...g, shDegree: 2 }, camera)).rejects.toThrow(/gaussians.colors: expected a GPUBuffer of at least/);
    await expect(r.forward(g, { ...camera, fx: -1 })).rejects.toThrow(/camera.fx: expected a positive focal length/);
    await expect(r.forward(g, camera, { tileSize: 32 })).rejects.toThrow(/options.tileSize: expected at most 16 on WebGPU/);
    const res = await r.forward(g, camera);
    const noCopy = ctx.device.createBuffer({ size: 40 * 30 * 12, usage: GPUBufferUsage.STORAGE });
    expect(() => r.backward(res.state, { rgb: noCopy })).toThrow(/grads.rgb: expected a buffer with GPUBufferUsage.COPY_SRC/);
    expect(() => r.backward(res.state, { depth: noCopy, features: noCopy })).toThrow(/grads.features: expected undefined \(the scene has no features\)/);
    res.destroy();
    expect(() => r.backward(res.state, {})).toThrow(/state: already released/);
    noCopy.destroy();
    destroy(g);
  }, 60_000);

  test('validates typed-array inputs through validate.ts', async () => {
    const bad = { ...scene, opacities: Float64Array.from(scene.opacities, (o, i) => (i === 3 ? 1.5 : o)) };
    await expect(renderWebGPU(ctx.device, bad, camera)).rejects.toThrow(/renderWebGPU: scene.opacities: expected activated opacities in \[0, 1\] \(not logits\), got 1.5 at index 3/);
  });

  test("sizes the backward batch for WebGPU's default 16 KiB of workgroup memory, with the same gradients", async () => {
    expect(backwardBatch(16, 16384)).toBe(7); // 7 x (2048 + 60) + 64 = 14820 bytes <= 16384
    expect(backwardBatch(16, 32768)).toBe(15); // 15 x 2108 + 64 = 31684 bytes
    expect(backwardBatch(8, 16384)).toBe(15);
    // Dawn gives one device per adapter: a view of the test device that reports the default limit
    // makes the rasterizer compile its 7-splat-batch backward.
    const real = ctx.device;
    const limits = new Proxy(real.limits, { get: (t, k) => (k === 'maxComputeWorkgroupStorageSize' ? 16384 : Reflect.get(t, k)) });
    const small = new Proxy(real, {
      get: (t, k) => {
        if (k === 'limits') return limits;
        const v = Reflect.get(t, k);
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
    const up = { rgb: Float32Array.from({ length: 40 * 30 * 3 }, (_, i) => Math.sin(i)) };
    const { state } = await renderWebGPU(small, scene, camera);
    const got = await renderWebGPUBackward(state, up);
    state.release();
    const ref = renderCpuBackward(renderCpu(scene, camera).state, up);
    for (const k of ['means', 'quats', 'scales', 'opacities', 'colors'] as const) {
      const scale = compare(ref[k], ref[k], 0).scale;
      expect(compare(got[k], ref[k], 1e-3 * scale, 1e-3).bad, k).toBe(0);
    }
  }, 60_000);

  test('kernels: auto picks the direct kernels on a CPU adapter; both kernel families render the same image', async () => {
    const info = (ctx.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    const cpuAdapter = /llvmpipe|lavapipe|swiftshader/i.test(`${info?.vendor} ${info?.architecture} ${info?.description}`);
    expect(resolveKernels(ctx.device)).toBe(cpuAdapter ? 'direct' : 'tiled');
    expect(resolveKernels(ctx.device, 'tiled')).toBe('tiled');
    expect(() => createRasterizer(ctx.device, { kernels: 'fast' as never })).toThrow(
      /createRasterizer: options.kernels: expected 'auto', 'tiled' or 'direct', got "fast"/,
    );
    const rng = makeRng(5);
    const scene = randomScene(rng, { n: 300, featureDim: 8 });
    const camera = { viewMatrix: randomView(rng), fx: 40, fy: 40, cx: 20, cy: 18, width: 41, height: 35 };
    const a = (await renderWebGPU(ctx.device, scene, camera, { keepState: false, kernels: 'direct' })).output;
    const b = (await renderWebGPU(ctx.device, scene, camera, { keepState: false, kernels: 'tiled' })).output;
    for (const k of ['rgb', 'alpha', 'depth', 'features'] as const) {
      expect(compare(a[k]!, b[k]!, 1e-6, 1e-6).bad, k).toBe(0);
    }
  });
});
