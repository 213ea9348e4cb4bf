import { registerBackend } from '../../backend.js';
import { cpuBackend } from './cpu-backend.js';
import './kernels/basic.js';
import './kernels/assign.js';

registerBackend(cpuBackend);

export { cpuBackend, CpuBackend, cpuData } from './cpu-backend.js';
import './kernels/matmul.js';
import './kernels/conv2d.js';
import './kernels/grid-sample.js';
import './kernels/upsample.js';
import './kernels/pool2d.js';
import './kernels/unary.js';
import './kernels/cumsum.js';
import './kernels/transpose.js';
import './kernels/broadcast-to.js';
import './kernels/slice.js';
import './kernels/concat.js';
import './kernels/pad.js';
import './kernels/index-select.js';
import './kernels/index-add.js';
import './kernels/gather-elements.js';
import './kernels/scatter-add-elements.js';
