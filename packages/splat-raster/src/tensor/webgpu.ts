/**
 * The WebGPU branch of the /tensor `rasterize` op.
 *
 * WIRING POINT: the WebGPU rasterizer (src/webgpu/, `createRasterizer(device)`) is not in
 * this build yet. When it lands, this function should: take the GPUBuffers of the input
 * tensors (core's WebGPU backend: `backend.bufferOf(storage)`), run the GPU forward into
 * buffers allocated from the backend (`backend.alloc`), wrap them as tensors, and store
 * the rasterizer's backward state in a WeakMap keyed by `ctx` (released in
 * `ctx.onRelease`), exactly as the CPU branch in rasterize-op.ts does.
 */

import type { OpContext, Tensor } from '@headsplat/core';
import type { Camera, RenderOptions } from '../types.js';
import type { CheckedInputs } from './inputs.js';

export function rasterizeWebGPUTensors(
  ctx: OpContext,
  inputs: Tensor[],
  checked: CheckedInputs,
  camera: Camera,
  options: RenderOptions,
): Tensor[] {
  void ctx;
  void checked;
  void camera;
  void options;
  throw new Error(
    `rasterize: gaussians.means: tensors on device '${inputs[0].device}' need the WebGPU rasterizer (src/webgpu/), which is not in this build yet; move the inputs to 'cpu' (await t.to('cpu'))`,
  );
}
