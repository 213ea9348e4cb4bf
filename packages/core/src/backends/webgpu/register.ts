/**
 * `registerWebGPUKernel(name, impl)`: registers a kernel for device 'webgpu' with the
 * backend typed as WebGPUBackend. A kernel reads its inputs' storages with `st(t)`,
 * allocates outputs with `backend.createOutput(dtype, size)` and records work with
 * `backend.dispatch(...)` (see webgpu-backend.ts).
 */
import type { KernelAttrs, KernelName } from '../../kernel-names.js';
import { registerKernel, type KernelOutput } from '../../op.js';
import type { Tensor } from '../../tensor.js';
import type { WebGPUBackend } from './webgpu-backend.js';

export type WebGPUKernel<A> = (inputs: Tensor[], attrs: A, backend: WebGPUBackend) => KernelOutput | KernelOutput[];

export function registerWebGPUKernel<N extends KernelName>(name: N, impl: WebGPUKernel<KernelAttrs[N]>): void {
  registerKernel<KernelAttrs[N]>('webgpu', name, (inputs, attrs, backend) => impl(inputs, attrs, backend as WebGPUBackend));
}
