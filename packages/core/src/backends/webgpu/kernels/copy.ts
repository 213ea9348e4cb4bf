/** Copy (a recorded buffer copy) and Upload (host data into a pooled buffer). */
import { checkGpuDType } from '../gpu-storage.js';
import { registerWebGPUKernel } from '../register.js';
import { st } from '../webgpu-backend.js';

registerWebGPUKernel('Copy', ([x], _attrs, backend) => {
  const out = backend.createOutput(x.dtype, x.size);
  backend.copy(st(x), 0, out, 0, x.size);
  return { storage: out, shape: x.shape, dtype: x.dtype };
});

registerWebGPUKernel('Upload', (_inputs, { shape, dtype, data }, backend) => {
  checkGpuDType('Upload', dtype);
  return { storage: backend.upload(dtype, data), shape, dtype };
});
