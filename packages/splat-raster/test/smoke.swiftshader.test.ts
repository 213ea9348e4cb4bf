/**
 * SwiftShader smoke subset of splat-raster (root vitest project `swiftshader`, which sets
 * HEADSPLAT_VK_DRIVER=swiftshader): asserts that the adapter really is SwiftShader (no
 * shader-f16, subgroup size 4), then renders a small scene (SH degree 1, 4 feature
 * channels, many Gaussians per pixel, tile-crossing, one behind the camera) forward and
 * backward on the GPU and compares with the float64 CPU reference:
 *   images |gpu - cpu| <= 1e-4; gradients |gpu_j - cpu_j| <= 1e-3 max|cpu| + 1e-3 |cpu_j|
 *   (2e-3 for the view matrix), the tolerances of webgpu-forward/backward.test.ts.
 * Also the capacity-mode forward with its overflow fallback. Run:
 *   pnpm exec vitest run --project swiftshader packages/splat-raster/test/smoke.swiftshader.test.ts
 */

import { getSharedDevice } from '@headsplat/gpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderCpu, renderCpuBackward } from '../src/cpu/index.js';
import type { Camera } from '../src/types.js';
import { createRasterizer, renderWebGPU, renderWebGPUBackward } from '../src/webgpu/index.js';
import { makeRng, randomScene, randomUpstream, randomView } from './cpu-util.js';
import { compare, readF32, upload } from './webgpu-util.js';

let device: GPUDevice | undefined;

beforeAll(async () => {
  try {
    const h = await getSharedDevice();
    console.log(`[swiftshader] splat-raster on: ${h.description} (driver ${h.driver})`);
    expect(h.driver).toBe('swiftshader');
    expect(h.description.toLowerCase()).toContain('swiftshader');
    device = h.device;
  } catch (e) {
    if (process.env.CI === 'true') throw new Error(`WebGPU on SwiftShader is required under CI=true: ${(e as Error).message}`);
    console.warn(`[swiftshader] skipping splat-raster smoke: ${(e as Error).message}`);
  }
}, 120_000);

describe('splat-raster SwiftShader smoke [webgpu]', () => {
  const rng = makeRng(31);
  const F = 4;
  const scene = randomScene(rng, { n: 90, shDegree: 1, featureDim: F });
  // One Gaussian behind the camera, one large one crossing many tiles.
  scene.means.set([0, 0, -2], 0);
  scene.scales.set([0.6, 0.5, 0.4], 3);
  const camera: Camera = { viewMatrix: randomView(rng), fx: 40, fy: 40, cx: 18.5, cy: 15.5, width: 37, height: 31 };
  const options = { background: [0.3, 0.1, 0.2] as [number, number, number] };

  it('runs on SwiftShader: no shader-f16', (ctx) => {
    if (!device) return ctx.skip();
    expect(device.features.has('shader-f16')).toBe(false);
  });

  it('forward and backward match the CPU reference', async (ctx) => {
    if (!device) return ctx.skip();
    const cpu = renderCpu(scene, camera, options);
    const t0 = performance.now();
    const { output, state } = await renderWebGPU(device, scene, camera, options);
    const t1 = performance.now();
    for (const k of ['rgb', 'alpha', 'depth', 'features', 'means2d'] as const) {
      const m = compare(output[k]!, cpu.output[k]!, 1e-4, 1e-5);
      expect(m.bad, `${k}: worst |d| ${m.maxAbs} at ${m.at}`).toBe(0);
    }
    expect(Array.from(output.radii)).toEqual(Array.from(cpu.output.radii));
    expect(cpu.output.radii[0]).toBe(0); // behind the camera: culled
    const up = randomUpstream(rng, camera.width, camera.height, F);
    const ref = renderCpuBackward(cpu.state, up);
    const t2 = performance.now();
    const gpu = await renderWebGPUBackward(state, up);
    state.release();
    // First calls: dominated by SwiftShader's pipeline compilation.
    console.log(`[swiftshader] first forward ${(t1 - t0).toFixed(0)} ms, first backward ${(performance.now() - t2).toFixed(0)} ms`);
    for (const k of ['means', 'quats', 'scales', 'opacities', 'colors', 'features', 'viewMatrix'] as const) {
      const b = ref[k]!;
      const tol = k === 'viewMatrix' ? 2e-3 : 1e-3;
      const scale = compare(b, b, 0).scale;
      expect(scale, k).toBeGreaterThan(1e-3);
      const m = compare(gpu[k]!, b, tol * scale, tol);
      expect(m.bad, `grad ${k}: worst |d| ${m.maxAbs} of max ${scale}`).toBe(0);
    }
  });

  it('capacity-mode forward, including its overflow fallback, renders the same image', async (ctx) => {
    if (!device) return ctx.skip();
    const d = device;
    const r = createRasterizer(d);
    const g = {
      count: 90,
      means: upload(d, Float32Array.from(scene.means)),
      quats: upload(d, Float32Array.from(scene.quats)),
      scales: upload(d, Float32Array.from(scene.scales)),
      opacities: upload(d, Float32Array.from(scene.opacities)),
      colors: upload(d, Float32Array.from(scene.colors)),
      shDegree: 1 as const,
      features: upload(d, Float32Array.from(scene.features!)),
      featureDim: F,
    };
    const exact = await r.forward(g, camera, options);
    const want = await readF32(d, exact.outputs.rgb, 3 * camera.width * camera.height);
    for (const capacity of [exact.state.intersections, 1]) {
      const res = r.forwardSync(g, camera, options, { capacity });
      const got = await readF32(d, res.outputs.rgb, want.length);
      expect((await r.lastIntersections()).overflowed).toBe(capacity === 1);
      expect(compare(got, want, 1e-6).bad, `capacity ${capacity}`).toBe(0);
      res.destroy();
    }
    exact.destroy();
    for (const b of Object.values(g)) if (typeof b === 'object') b.destroy();
  });
});
