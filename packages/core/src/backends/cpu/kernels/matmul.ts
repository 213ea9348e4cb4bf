import type { TypedArray } from '../../../dtype.js';
import type { KernelAttrs } from '../../../kernel-names.js';
import { registerKernel } from '../../../op.js';
import { broadcastShapes, sizeOf } from '../../../shape.js';
import { broadcastIndex } from '../broadcast.js';
import { cpuBackend } from '../cpu-backend.js';
import { gemm, GemmWorkspace } from './gemm.js';

/** Batched matmul with broadcast batch dims; each batch is one packed gemm (see gemm.ts). */
registerKernel<KernelAttrs['MatMul']>('cpu', 'MatMul', ([a, b], { transposeA, transposeB }) => {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', batchA, batchB);
  const nb = sizeOf(batch);
  const ia = broadcastIndex(batchA, batch);
  const ib = broadcastIndex(batchB, batch);
  const out = cpuBackend.alloc(a.dtype, nb * M * N);
  const A = a.storage as TypedArray;
  const B = b.storage as TypedArray;
  const direct = out instanceof Float64Array;
  const acc = direct ? out : new Float64Array(M * N);
  const ws = new GemmWorkspace();
  for (let p = 0; p < nb; p++) {
    const pa = ia ? ia[p] : p;
    const pb = ib ? ib[p] : p;
    if (!direct && p > 0) acc.fill(0);
    gemm(
      { data: A, offset: pa * M * K, transposed: transposeA },
      { data: B, offset: pb * K * N, transposed: transposeB },
      acc, direct ? p * M * N : 0, M, K, N, ws,
    );
    if (!direct) out.set(acc, p * M * N);
  }
  return { storage: out, shape: [...batch, M, N], dtype: a.dtype };
});
