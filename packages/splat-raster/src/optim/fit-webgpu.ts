/**
 * The WebGPU rasterizer as a `FitRenderer` for `fitGaussians`.
 *
 * WIRING POINT: src/webgpu/ (the WebGPU rasterizer) is being written; until its
 * convenience API (`renderWebGPU(device, scene, camera, options)` and its backward on
 * typed arrays) exists, this throws. Wire it here and nowhere else.
 */

import type { FitRenderer } from '../fit.js';

export function webgpuFitRenderer(device: GPUDevice): FitRenderer {
  void device;
  throw new Error(
    "fitGaussians: options.backend: 'webgpu' needs the WebGPU rasterizer (src/webgpu/, renderWebGPU + backward), which is not in this build yet; use backend 'cpu'",
  );
}
