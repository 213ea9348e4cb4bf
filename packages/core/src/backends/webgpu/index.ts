/**
 * The WebGPU backend of @headsplat/core.
 * @example
 * import { initWebGPU } from '@headsplat/core';
 * const backend = await initWebGPU();          // registers device 'webgpu'
 * const x = tensor([1, 2, 3], { device: 'webgpu' });
 */
import { getSharedDevice } from '@headsplat/gpu';
import { getBackend, hasBackend, registerBackend } from '../../backend.js';
import { WebGPUBackend } from './webgpu-backend.js';
import './kernels/index.js';

export interface InitWebGPUOptions {
  /** Use this device instead of the shared one from @headsplat/gpu. */
  device?: GPUDevice;
}

let pending: Promise<WebGPUBackend> | undefined;

/**
 * Creates the WebGPU backend (once per process) and registers it as device 'webgpu'.
 * Passing a different `device` replaces the registered backend.
 */
export function initWebGPU(opts: InitWebGPUOptions = {}): Promise<WebGPUBackend> {
  if (hasBackend('webgpu')) {
    const cur = getBackend('webgpu') as WebGPUBackend;
    if (!opts.device || opts.device === cur.device) return Promise.resolve(cur);
    cur.flush();
  }
  if (opts.device) {
    const b = new WebGPUBackend(opts.device);
    registerBackend(b);
    pending = Promise.resolve(b);
    return pending;
  }
  pending ??= getSharedDevice()
    .then((h) => {
      const b = new WebGPUBackend(h.device);
      registerBackend(b);
      return b;
    })
    .catch((e: unknown) => {
      pending = undefined;
      throw e;
    });
  return pending;
}

export { WebGPUBackend, st, type DispatchSpec, type WebGPUStats } from './webgpu-backend.js';
export type { GpuStorage } from './gpu-storage.js';
export { Params } from './params.js';
export { registerWebGPUKernel, type WebGPUKernel } from './register.js';
export * as wgsl from './wgsl.js';
