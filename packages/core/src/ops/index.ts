export * from './creation.js';
export * from './binary.js';
export type { TensorLike } from './util.js';
export { matmul, bmm, linear, type MatmulOptions } from './matmul.js';
export * from './conv.js';
export * from './grid-sample.js';
export * from './upsample.js';
export * from './geometry.js';
export * from './pool.js';
export {
  neg, abs, exp, log, sqrt, rsqrt, sin, cos, tanh, sigmoid, relu, leakyRelu, softplus, erf, gelu, square, reciprocal,
  powScalar, clamp, sign, floor, ceil, round, logicalNot,
} from './unary.js';
export * from './reduce.js';
export * from './softmax.js';
export { reshape, flatten, squeeze, unsqueeze, permute, transpose, broadcastTo, expand } from './shape.js';
export * from './slice.js';
export * from './concat.js';
export * from './where.js';
export * from './indexing.js';
export * from './cast.js';
