export * from './creation.js';
export * from './binary.js';
export type { TensorLike } from './util.js';
export { matmul, bmm, linear, type MatmulOptions } from './matmul.js';
export * from './conv.js';
export * from './grid-sample.js';
export * from './upsample.js';
export * from './geometry.js';
export * from './pool.js';
