export * from './creation.js';
export * from './binary.js';
export type { TensorLike } from './util.js';
