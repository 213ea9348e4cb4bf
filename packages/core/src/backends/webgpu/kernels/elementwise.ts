/**
 * Unary, Binary, Cast, Where and Fill: lazy elementwise expressions compiled into one
 * fused kernel when needed (see ../fusion.ts). Upload and Copy live in copy.ts.
 */
import { lazyBinary, lazyCast, lazyFill, lazyUnary, lazyWhere } from '../fusion.js';
import { checkGpuDType } from '../gpu-storage.js';
import { registerWebGPUKernel } from '../register.js';

registerWebGPUKernel('Unary', ([x], attrs, backend) => lazyUnary(backend, x, attrs));

registerWebGPUKernel('Binary', ([a, b], { op }, backend) => lazyBinary(backend, a, b, op));

registerWebGPUKernel('Cast', ([x], { dtype }, backend) => {
  checkGpuDType('Cast', dtype);
  return lazyCast(backend, x, dtype);
});

registerWebGPUKernel('Where', ([c, a, b], _attrs, backend) => lazyWhere(backend, c, a, b));

registerWebGPUKernel('Fill', (_inputs, { shape, dtype, value }, backend) => {
  checkGpuDType('Fill', dtype);
  return lazyFill(backend, shape, dtype, value);
});
