/**
 * WebGPU backward vs the float64 CPU reference (renderCpuBackward) with random upstream
 * gradients on every output.
 *
 * Tolerance per gradient array g (float32 kernels, float32 atomics summed in any order):
 *   |gpu_j - cpu_j| <= 1e-3 max_k |cpu_k| + 1e-3 |cpu_j|   for every entry j.
 * The view-matrix gradient (a sum over all Gaussians) uses 2e-3 for both terms.
 */

import { webgpuSuite } from '@headsplat/gpu/testing';
import { expect } from 'vitest';
import { renderCpu, renderCpuBackward } from '../src/cpu/index.js';
import type { Camera, GaussianScene, RenderGradients, RenderOptions } from '../src/types.js';
import { renderWebGPU, renderWebGPUBackward } from '../src/webgpu/index.js';
import { makeRng, randomScene, randomUpstream, randomView } from './cpu-util.js';
import { compare } from './webgpu-util.js';

function camera(view: Float64Array, w = 53, h = 37): Camera {
  return { viewMatrix: view, fx: 50, fy: 48, cx: w / 2 + 0.3, cy: h / 2 - 0.2, width: w, height: h };
}

const KEYS = ['means', 'quats', 'scales', 'opacities', 'colors', 'features', 'means2d', 'means2dAbs', 'viewMatrix'] as const;

export function gradErrors(gpu: RenderGradients, cpu: RenderGradients): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of KEYS) {
    const a = gpu[k];
    const b = cpu[k];
    if (!b) continue;
    const m = compare(a!, b, 0, 0);
    out[k] = m.scale === 0 ? m.maxAbs : m.maxAbs / m.scale;
  }
  return out;
}

function expectGradsClose(gpu: RenderGradients, cpu: RenderGradients): void {
  for (const k of KEYS) {
    const b = cpu[k];
    if (!b) {
      expect(gpu[k]).toBeUndefined();
      continue;
    }
    const a = gpu[k]!;
    const tol = k === 'viewMatrix' ? 2e-3 : 1e-3;
    const scale = compare(b, b, 0).scale;
    const m = compare(a, b, tol * scale, tol);
    if (m.bad > 0) {
      throw new Error(`grad ${k}: ${m.bad} of ${b.length} off; worst at ${m.at}: gpu ${a[m.at]} cpu ${b[m.at]} (|d| ${m.maxAbs}, max |cpu| ${scale})`);
    }
  }
}

for (const kernels of ['direct', 'tiled'] as const) webgpuSuite(`renderWebGPUBackward (${kernels} kernels)`, (ctx, test) => {
  async function check(scene: GaussianScene, cam: Camera, options: RenderOptions = {}, seed = 1): Promise<Record<string, number>> {
    const F = scene.featureDim ?? 0;
    const v = randomUpstream(makeRng(seed), cam.width, cam.height, F);
    const up = F > 0 ? v : { ...v, features: undefined };
    const cpu = renderCpuBackward(renderCpu(scene, cam, options).state, up);
    const { state } = await renderWebGPU(ctx.device, scene, cam, { ...options, kernels });
    try {
      const gpu = await renderWebGPUBackward(state, up);
      expectGradsClose(gpu, cpu);
      return gradErrors(gpu, cpu);
    } finally {
      state.release();
    }
  }

  test('matches the CPU reference on a random RGB scene with a background', async () => {
    const rng = makeRng(1);
    await check(randomScene(rng, { n: 200 }), camera(randomView(rng)), { background: [0.3, 0.2, 0.1] });
  }, 60_000);

  test('matches for SH degrees 0 to 3 (SH coefficients, direction term, camera-centre term of the view matrix)', async () => {
    for (const shDegree of [0, 1, 2, 3] as const) {
      const rng = makeRng(30 + shDegree);
      await check(randomScene(rng, { n: 150, shDegree }), camera(randomView(rng, 0.5)), {}, shDegree);
    }
  }, 60_000);

  test('matches with 3, 32 and 64 feature channels', async () => {
    for (const featureDim of [3, 32, 64]) {
      const rng = makeRng(40 + featureDim);
      const fbg = Array.from({ length: featureDim }, (_, i) => Math.cos(i));
      await check(randomScene(rng, { n: 120, featureDim, shDegree: 1 }), camera(randomView(rng), 37, 29), { featureBackground: fbg }, featureDim);
    }
  }, 60_000);

  test('matches with many Gaussians per pixel (0.99 alpha clamp, early stop) and culled ones', async () => {
    const rng = makeRng(50);
    const scene = randomScene(rng, { n: 1200, shDegree: 1 });
    for (let i = 0; i < 1200; i++) scene.opacities[i] = i % 7 === 0 ? 1 : 0.4 + 0.6 * rng();
    for (let i = 0; i < 1200; i += 9) scene.means[3 * i + 2] *= -1;
    for (let i = 5; i < 1200; i += 11) scene.scales[3 * i + 1] = 0;
    await check(scene, camera(randomView(rng), 36, 27), { background: [1, 1, 1] });
  }, 60_000);

  test('matches in antialiased mode and with tile size 8', async () => {
    const rng = makeRng(60);
    const scene = randomScene(rng, { n: 180, shDegree: 2 });
    const cam = camera(randomView(rng));
    await check(scene, cam, { antialiased: true }, 2);
    await check(scene, cam, { tileSize: 8 }, 3);
  }, 60_000);

  test('gives the same gradients with per-pixel (naive) global atomics as with the per-tile reduction', async () => {
    const rng = makeRng(70);
    const scene = randomScene(rng, { n: 150, featureDim: 4 });
    const cam = camera(randomView(rng));
    const v = randomUpstream(makeRng(71), cam.width, cam.height, 4);
    const { state } = await renderWebGPU(ctx.device, scene, cam, { kernels });
    try {
      const r = state.rasterizer;
      const a = r.backward(state.gpu, {});
      a.destroy();
      const reduced = await renderWebGPUBackward(state, v);
      // Same through the GPUBuffer API with naiveAtomics.
      const up = (x: ArrayLike<number>): GPUBuffer => {
        const b = ctx.device.createBuffer({ size: x.length * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
        ctx.device.queue.writeBuffer(b, 0, Float32Array.from(x));
        return b;
      };
      const ups = { rgb: up(v.rgb), features: up(v.features), alpha: up(v.alpha), depth: up(v.depth) };
      const g = r.backward(state.gpu, ups, { naiveAtomics: true });
      const { readF32 } = await import('./webgpu-util.js');
      const means = await readF32(ctx.device, g.means, 3 * 150);
      const feats = await readF32(ctx.device, g.features!, 4 * 150);
      g.destroy();
      for (const b of Object.values(ups)) b.destroy();
      const m1 = compare(means, reduced.means, 1e-5 * compare(reduced.means, reduced.means, 0).scale, 1e-4);
      const m2 = compare(feats, reduced.features!, 1e-5 * compare(reduced.features!, reduced.features!, 0).scale, 1e-4);
      expect(m1.bad).toBe(0);
      expect(m2.bad).toBe(0);
    } finally {
      state.release();
    }
  }, 60_000);

  test('produces finite gradients for huge, fully opaque splats', async () => {
    const rng = makeRng(80);
    const scene = randomScene(rng, { n: 60, shDegree: 3 });
    for (let i = 0; i < 60; i++) {
      scene.opacities[i] = 1;
      if (i % 2 === 0) scene.scales.set([300 * rng() + 1, 200, 500], 3 * i);
    }
    scene.means.set([0, 0, 0.02], 0);
    const cam = camera(randomView(rng));
    const v = randomUpstream(makeRng(81), cam.width, cam.height, 0);
    const { state } = await renderWebGPU(ctx.device, scene, cam, { kernels });
    try {
      const g = await renderWebGPUBackward(state, { ...v, features: undefined });
      for (const k of KEYS) if (g[k]) expect(Array.from(g[k]!).every(Number.isFinite), k).toBe(true);
    } finally {
      state.release();
    }
  }, 60_000);

  test('returns every pooled buffer after forward + backward (no leaks)', async () => {
    const rng = makeRng(90);
    const scene = randomScene(rng, { n: 100, featureDim: 2 });
    const cam = camera(randomView(rng));
    const v = randomUpstream(makeRng(91), cam.width, cam.height, 2);
    const run = async (): Promise<void> => {
      const { state } = await renderWebGPU(ctx.device, scene, cam, { kernels });
      await renderWebGPUBackward(state, v);
      state.release();
    };
    await run();
    const { getRasterizer } = await import('../src/webgpu/index.js');
    const r = getRasterizer(ctx.device);
    const before = r.stats();
    expect(before.inUse).toBe(0);
    for (let k = 0; k < 3; k++) await run();
    const after = r.stats();
    expect(after.inUse).toBe(0);
    expect(after.created).toBe(before.created);
  }, 60_000);
});
