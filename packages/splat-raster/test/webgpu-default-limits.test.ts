/**
 * The rasterizer on a device requested with WebGPU's default limits (no requiredLimits):
 * every kernel must fit the default maxComputeWorkgroupStorageSize of 16 KiB (the radix
 * sort's scatter used 17 KiB before), compile, and render and differentiate like the CPU
 * reference. Dawn's adapter hands out one device, so the test asks its own adapter from a
 * new instance (the Vulkan driver is the one the shared test device selected).
 */

import { webgpuSuite } from '@headsplat/gpu/testing';
import { expect } from 'vitest';
import { renderCpu, renderCpuBackward } from '../src/cpu/index.js';
import { createRasterizer, renderWebGPU, renderWebGPUBackward } from '../src/webgpu/index.js';
import { makeRng, randomScene, randomView } from './cpu-util.js';
import { compare } from './webgpu-util.js';

webgpuSuite('rasterizer on a default-limits device', (ctx, test) => {
  test('compiles every kernel within 16 KiB of workgroup memory and matches the CPU reference', async () => {
    void ctx.device; // the shared device selects the Vulkan driver (VK_ICD_FILENAMES)
    const webgpu = await import('webgpu');
    let gpu: GPU | undefined = webgpu.create(['backend=vulkan']);
    const adapter = await gpu.requestAdapter();
    expect(adapter, 'a second adapter from a new Dawn instance').toBeTruthy();
    const device = await adapter!.requestDevice();
    try {
      expect(device.limits.maxComputeWorkgroupStorageSize).toBe(16384);
      const rng = makeRng(11);
      // 600 splats over 48x40: more than one 2048-key radix block of (tile, Gaussian) pairs.
      const scene = randomScene(rng, { n: 600 });
      const camera = { viewMatrix: randomView(rng), fx: 48, fy: 48, cx: 24, cy: 20, width: 48, height: 40 };
      // The tiled kernels use workgroup memory (the direct ones none).
      const r = createRasterizer(device, { kernels: 'tiled' });
      const { output, state } = await renderWebGPU(device, scene, camera, { kernels: 'tiled' });
      await r.checkErrors();
      const ref = renderCpu(scene, camera);
      expect(compare(output.rgb, ref.output.rgb, 2e-4, 2e-4).bad).toBe(0);
      expect(compare(output.alpha, ref.output.alpha, 2e-4, 2e-4).bad).toBe(0);
      const up = { rgb: Float32Array.from({ length: 48 * 40 * 3 }, (_, i) => Math.sin(0.7 * i)) };
      const got = await renderWebGPUBackward(state, up);
      state.release();
      const refGrads = renderCpuBackward(ref.state, up);
      for (const k of ['means', 'quats', 'scales', 'opacities', 'colors'] as const) {
        const scale = compare(refGrads[k], refGrads[k], 0).scale;
        expect(compare(got[k], refGrads[k], 1e-3 * scale, 1e-3).bad, k).toBe(0);
      }
      // Without the 'subgroups' feature the direct forward culls per tile and the backward
      // falls back to the tiled kernel.
      expect(device.features.has('subgroups')).toBe(false);
      const direct = await renderWebGPU(device, scene, camera, { kernels: 'direct' });
      expect(compare(direct.output.rgb, ref.output.rgb, 2e-4, 2e-4).bad).toBe(0);
      const gotDirect = await renderWebGPUBackward(direct.state, up);
      direct.state.release();
      for (const k of ['means', 'quats', 'scales', 'opacities', 'colors'] as const) {
        const scale = compare(refGrads[k], refGrads[k], 0).scale;
        expect(compare(gotDirect[k], refGrads[k], 1e-3 * scale, 1e-3).bad, k).toBe(0);
      }
    } finally {
      device.destroy();
      gpu = undefined;
    }
  }, 120_000);
});
