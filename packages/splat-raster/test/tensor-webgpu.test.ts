/**
 * The /tensor binding on core's WebGPU backend: `rasterize` on 'webgpu' tensors runs the
 * WebGPU rasterizer on their GPU buffers. Checked against the same op on 'cpu' tensors
 * (the float64 CPU reference) with RGB + 32 feature channels + alpha + depth + means2d:
 * - images: |gpu - cpu| <= 1e-4 (float32 kernels vs float64, values of order 1);
 * - gradients of L = <Vr, rgb> + <Vf, features> + <Va, alpha> + <Vd, depth> + <Vm, means2d>
 *   (random V): |gpu_j - cpu_j| <= 2e-3 max_k |cpu_k| + 2e-3 |cpu_j| per input (float32
 *   atomics summed in any order; as webgpu-backward.test.ts with a margin for the extra terms);
 * - a leak check: core's live tensors and buffers, and the rasterizer's pooled buffers in
 *   use, are unchanged after a tidy'd step.
 */

import { Tensor, type WebGPUBackend, getBackend, initWebGPU, liveTensors, mul, sum, tensor, tidy } from '@headsplat/core';
import { webgpuSuite } from '@headsplat/gpu/testing';
import { expect } from 'vitest';
import { getRasterizer } from '../src/webgpu/render.js';
import { type GaussianTensors, rasterize } from '../src/tensor.js';
import type { Camera, GaussianScene, RenderOptions } from '../src/types.js';
import { makeRng, randomArray, randomScene, randomView } from './cpu-util.js';
import { compare } from './webgpu-util.js';

const F = 32;

function toTensors(scene: GaussianScene, device: 'cpu' | 'webgpu'): GaussianTensors {
  const n = scene.means.length / 3;
  const t = (a: ArrayLike<number>, shape: number[]): Tensor => tensor(Float32Array.from(a), { shape, device, requiresGrad: true });
  return {
    means: t(scene.means, [n, 3]),
    quats: t(scene.quats, [n, 4]),
    scales: t(scene.scales, [n, 3]),
    opacities: t(scene.opacities, [n, 1]),
    colors: t(scene.colors, scene.shDegree === undefined ? [n, 3] : [n, (scene.shDegree + 1) ** 2, 3]),
    features: t(scene.features!, [n, F]),
  };
}

webgpuSuite('rasterize (tensor binding, webgpu)', (ctx, test) => {
  const rng = makeRng(21);
  const n = 120;
  const scene = randomScene(rng, { n, featureDim: F, shDegree: 1 });
  const camera: Camera = { viewMatrix: randomView(rng), fx: 44, fy: 44, cx: 20.5, cy: 17.5, width: 41, height: 35 };
  const options: RenderOptions = { background: [0.1, 0.2, 0.3], featureBackground: 0.25 };
  const P = camera.width * camera.height;
  const V = {
    rgb: Float32Array.from(randomArray(rng, 3 * P, -1, 1)),
    features: Float32Array.from(randomArray(rng, F * P, -1, 1)),
    alpha: Float32Array.from(randomArray(rng, P, -1, 1)),
    depth: Float32Array.from(randomArray(rng, P, -1, 1)),
    means2d: Float32Array.from(randomArray(rng, 2 * n, -0.05, 0.05)),
  };

  /** Renders, backpropagates L and returns the images and the input gradients (host copies). */
  async function run(device: 'cpu' | 'webgpu'): Promise<{ images: Record<string, Float32Array>; grads: Record<string, Float32Array> }> {
    const g = toTensors(scene, device);
    const imgs = tidy(() => {
      const out = rasterize(g, camera, options);
      const w = (a: Float32Array, t: Tensor): Tensor => tensor(a, { shape: [...t.shape], device });
      const terms = [
        sum(mul(out.rgb, w(V.rgb, out.rgb))),
        sum(mul(out.features!, w(V.features, out.features!))),
        sum(mul(out.alpha, w(V.alpha, out.alpha))),
        sum(mul(out.depth, w(V.depth, out.depth))),
        sum(mul(out.means2d, w(V.means2d, out.means2d))),
      ];
      terms.reduce((a, b) => a.add(b)).backward();
      return { rgb: out.rgb.detach(), features: out.features!.detach(), alpha: out.alpha.detach(), depth: out.depth.detach(), means2d: out.means2d.detach() };
    });
    const images: Record<string, Float32Array> = {};
    for (const [k, t] of Object.entries(imgs)) {
      images[k] = (await t.data()) as Float32Array;
      t.dispose();
    }
    const grads: Record<string, Float32Array> = {};
    for (const [k, t] of Object.entries(g) as [string, Tensor][]) {
      expect(t.grad!.device, k).toBe(device);
      expect(t.grad!.shape, k).toEqual(t.shape);
      grads[k] = (await t.grad!.data()) as Float32Array;
      t.grad!.dispose();
      t.dispose();
    }
    return { images, grads };
  }

  test('equals the CPU-tensor path: RGB, 32 features, alpha, depth, means2d and every input gradient', async () => {
    await initWebGPU({ device: ctx.device });
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    const worst: string[] = [];
    for (const k of Object.keys(cpu.images)) {
      const m = compare(gpu.images[k], cpu.images[k], 1e-4);
      worst.push(`${k} ${m.maxAbs.toExponential(1)}`);
      expect(m.bad, `${k}: worst |d| ${m.maxAbs} at ${m.at}`).toBe(0);
    }
    expect(cpu.images.rgb.some((v) => v > 0.5)).toBe(true);
    for (const k of Object.keys(cpu.grads)) {
      const b = cpu.grads[k];
      const scale = compare(b, b, 0).scale;
      expect(scale, k).toBeGreaterThan(1e-3);
      const m = compare(gpu.grads[k], b, 2e-3 * scale, 2e-3);
      worst.push(`d${k} ${(m.maxAbs / scale).toExponential(1)}`);
      expect(m.bad, `grad ${k}: worst |d| ${m.maxAbs} of max ${scale} at ${m.at}`).toBe(0);
    }
    console.log(`tensor webgpu vs cpu, max |d| (images) / max |d| / max |cpu| (grads): ${worst.join(', ')}`);
  }, 120_000);

  test('leaks nothing: live tensors, core buffers and rasterizer buffers unchanged after a tidy step', async () => {
    const be = (await initWebGPU({ device: ctx.device })) as WebGPUBackend;
    expect(getBackend('webgpu')).toBe(be);
    const g = toTensors(scene, 'webgpu');
    const rast = getRasterizer(be.device);
    const step = (): void => {
      tidy(() => {
        const out = rasterize(g, camera, options);
        sum(mul(out.rgb, out.rgb)).add(sum(out.features!)).backward();
      });
      for (const t of Object.values(g) as Tensor[]) {
        t.grad!.dispose();
        t.grad = null;
      }
    };
    step(); // warm-up: pipelines, pool buckets
    await be.sync();
    const before = { tensors: liveTensors(), buffers: be.liveBuffers(), raster: rast.stats().inUse };
    step();
    await be.sync();
    expect({ tensors: liveTensors(), buffers: be.liveBuffers(), raster: rast.stats().inUse }).toEqual(before);
    for (const t of Object.values(g) as Tensor[]) t.dispose();
  }, 120_000);

  test('names the argument when devices are mixed', async () => {
    await initWebGPU({ device: ctx.device });
    const g = toTensors(scene, 'webgpu');
    const cpuColors = tensor(Float32Array.from(scene.colors), { shape: [n, 4, 3] });
    expect(() => rasterize({ ...g, colors: cpuColors }, camera)).toThrow(/rasterize: gaussians.colors: expected device 'webgpu' \(as means\), got cpu/);
    cpuColors.dispose();
    for (const t of Object.values(g) as Tensor[]) t.dispose();
  }, 60_000);
});
