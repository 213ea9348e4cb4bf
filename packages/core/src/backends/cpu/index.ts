import { registerBackend } from '../../backend.js';
import { cpuBackend } from './cpu-backend.js';
import './kernels/basic.js';

registerBackend(cpuBackend);

export { cpuBackend, CpuBackend, cpuData } from './cpu-backend.js';
