import { registerBackend } from '../../backend.js';
import { cpuBackend } from './cpu-backend.js';
import './kernels/basic.js';

registerBackend(cpuBackend);

export { cpuBackend, CpuBackend, cpuData } from './cpu-backend.js';
import './kernels/matmul.js';
import './kernels/conv2d.js';
import './kernels/grid-sample.js';
import './kernels/upsample.js';
import './kernels/pool2d.js';
