/**
 * Registers every WebGPU kernel (side-effect imports). Kernel authors: add one import
 * line per kernel file here.
 */
import './elementwise.js';
import './copy.js';
import './assign.js';
import './strided.js';
import './reduce.js';
import './scan.js';
import './indexing.js';
import './matmul.js';
import './conv.js';
import './pool.js';
import './upsample.js';
import './grid-sample.js';
