/**
 * Pipeline compile times of the rasterizer's kernels on the selected driver
 * (HEADSPLAT_VK_DRIVER=lavapipe|swiftshader). Compiles are what dominate the first call.
 *   pnpm exec tsx packages/splat-raster/bench/compile-times.ts
 */
import { getDevice } from '@headsplat/gpu';
import { createRasterizer, renderWebGPU, renderWebGPUBackward } from '../src/webgpu/index.js';

const h = await getDevice();
const device = h.device;
const orig = device.createComputePipeline.bind(device);
device.createComputePipeline = (d: GPUComputePipelineDescriptor) => {
  const t0 = performance.now();
  const p = orig(d);
  console.log(`${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${d.label}`);
  return p;
};
void createRasterizer;
const n = 50;
const scene = {
  means: Float32Array.from({ length: 3 * n }, (_, i) => (i % 3 === 2 ? 3 : Math.sin(i))),
  quats: Float32Array.from({ length: 4 * n }, (_, i) => (i % 4 === 0 ? 1 : 0)),
  scales: new Float32Array(3 * n).fill(0.1),
  opacities: new Float32Array(n).fill(0.5),
  colors: new Float32Array(3 * n).fill(0.5),
  features: new Float32Array(Number(process.env.F ?? 0) * n).fill(0.1),
  featureDim: Number(process.env.F ?? 0) || undefined,
};
if (!scene.featureDim) {
  delete (scene as { features?: unknown }).features;
  delete (scene as { featureDim?: unknown }).featureDim;
}
const cam = { viewMatrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], fx: 30, fy: 30, cx: 16, cy: 16, width: 32, height: 32 };
console.log(h.description);
const { state } = await renderWebGPU(device, scene, cam);
await renderWebGPUBackward(state, { rgb: new Float32Array(32 * 32 * 3).fill(1) });
state.release();
h.destroy();
