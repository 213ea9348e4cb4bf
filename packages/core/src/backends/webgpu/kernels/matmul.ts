/**
 * MatMul on WebGPU: maps (transposeA, transposeB, broadcast batch dims) onto the strided GEMM
 * of matmul-gemm.ts without copying operands. A narrow output (N < 32 with M > N, e.g. the
 * last layer of an MLP) is computed transposed, Cᵀ = Bᵀ Aᵀ, so that the wide dimension runs
 * across the lanes instead of idling most of them.
 */
import { broadcastShapes, sizeOf, stridesOf } from '../../../shape.js';
import { registerWebGPUKernel } from '../register.js';
import { st } from '../webgpu-backend.js';
import { dispatchGemm, qIsVec4, type GemmProblem } from './matmul-gemm.js';
import { chooseSgTile, sgLanes } from './matmul-gemm-sg.js';
import { stridedGather } from './strided.js';

/** Per batch axis of `out`, the element stride of an operand with batch shape `shape` and matrix size `mat` (0 where broadcast). */
function batchStrides(shape: readonly number[], out: readonly number[], mat: number): number[] {
  const st = stridesOf(shape).map((s) => s * mat);
  const off = out.length - shape.length;
  return out.map((_, d) => (d < off || shape[d - off] === 1 ? 0 : st[d - off]));
}

registerWebGPUKernel('MatMul', ([a, b], { transposeA, transposeB }, backend) => {
  const ra = a.rank;
  const rb = b.rank;
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', batchA, batchB);
  const out = backend.createOutput(a.dtype, sizeOf(batch) * M * N);
  // Element strides of op(A) (m, k) and op(B) (k, n) within one matrix.
  const sA: [number, number] = transposeA ? [1, M] : [K, 1];
  const sB: [number, number] = transposeB ? [1, K] : [N, 1];
  const bA = batchStrides(batchA, batch, M * K);
  const bB = batchStrides(batchB, batch, K * N);
  const bC = batchStrides(batch, batch, M * N);
  const swap = N < 32 && M > N;
  const p: GemmProblem = swap
    ? { M: N, N: M, K, sP: [sB[1], sB[0]], sQ: [sA[1], sA[0]], sD: [1, N], batch, bP: bB, bQ: bA, bD: bC }
    : { M, N, K, sP: sA, sQ: sB, sD: [N, 1], batch, bP: bA, bQ: bB, bD: bC };
  let q = swap ? st(a) : st(b);
  // llvmpipe, large 2-D product with a column-strided Q (x Wᵀ in a linear layer): a contiguous
  // copy of Q costs K*N element moves and lets every Q load be one vec4 instead of four scalars.
  const S = sgLanes(backend.device);
  if (S > 0 && batch.length === 0 && !qIsVec4(p) && p.N % 4 === 0 && chooseSgTile(p.M, p.N, p.K, S).TM > S) {
    q = stridedGather(backend, q, [p.K, p.N], p.sQ, 0);
    dispatchGemm(backend, { ...p, sQ: [p.N, 1] }, swap ? st(b) : st(a), q, out);
    backend.free(q);
  } else {
    dispatchGemm(backend, p, swap ? st(b) : st(a), q, out);
  }
  return { storage: out, shape: [...batch, M, N], dtype: a.dtype };
});
