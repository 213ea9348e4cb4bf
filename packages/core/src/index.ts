/**
 * @headsplat/core: tensors, reverse-mode autograd, CPU and WebGPU backends, custom ops, IO.
 */
import './backends/cpu/index.js';
import './tensor-methods.js';

export type { DType, Device, TypedArray } from './dtype.js';
export { Tensor, type NestedArray } from './tensor.js';
export { tidy, keep, noGrad, isGradEnabled, liveTensors, liveBuffers, getDefaultDevice, setDefaultDevice } from './engine.js';
export { HeadsplatError } from './errors.js';
export { assign_ } from './assign.js';
export { defineOp, registerKernel, runKernel, hasKernel, type OpContext, type OpDefinition, type KernelImpl, type KernelOutput } from './op.js';
export type { BackwardOptions } from './autograd.js';
export { registerBackend, getBackend, hasBackend, type Backend } from './backend.js';
export type { KernelAttrs, KernelName } from './kernel-names.js';
export * from './ops/index.js';
export type { TensorMethods } from './tensor-methods.js';
export { initWebGPU, type WebGPUBackend } from './backends/webgpu/index.js';
export { Generator, manualSeed, rand, randn, randint, randperm, type RandomOptions } from './random.js';
export { gradcheck, gradcheckReport, type GradcheckOptions, type GradcheckReport } from './gradcheck.js';
export * from './io/index.js';
