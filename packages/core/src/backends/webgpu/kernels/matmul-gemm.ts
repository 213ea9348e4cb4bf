/**
 * A strided, batched GEMM in WGSL: D(i, j) = sum_k P(i, k) Q(k, j), with
 * P(i, k) = P[pOff + i*sPi + k*sPk], Q(k, j) = Q[qOff + k*sQk + j*sQj], D(i, j) = D[dOff + i*sDi + j*sDj]
 * and per-batch offsets from broadcast batch strides (workgroup z = batch). MatMul uses it with
 * P = A, Q = B (or, for a narrow output, P = Bᵀ, Q = Aᵀ and D = Cᵀ).
 *
 * Tiling, chosen by measurement on the CPU Vulkan drivers (bench/explore-matmul.ts): a
 * workgroup is WG lanes along j; each lane owns R rows x C4 vec4 columns of D in registers,
 * with its columns interleaved across lanes (lane l reads vec4 l, l+WG, ...: adjacent lanes read
 * adjacent 16-byte words). The R rows are the same for every lane of a workgroup, so on GPUs the
 * P loads hit one cache line per warp. No shared memory and no barriers: on lavapipe a workgroup
 * runs on one CPU thread as 8-lane SIMD, every divergent buffer load costs a per-lane loop
 * (Mesa 25.0 `emit_load_mem`: ~8 instructions per scalar per lane, bounds check included),
 * and shared-memory staging + barriers (coroutine switches) measured 3-4x slower than direct
 * loads; reading operands through textures was no better (texel fetches are calls). The cost
 * is per loaded scalar per lane, so what matters is FMAs per loaded scalar,
 * R*4*C4 / (R + 4*C4), against register pressure: 16 x 8 measured best (12 x 8 .. 16 x 8 within
 * noise; 16 x 16 and 32 x 8 spill and lose).
 *
 * Odd sizes: row and column indices are clamped for loads (so every load is in bounds, no
 * branches in the k loop) and stores are guarded.
 *
 * On llvmpipe with the `subgroups` feature, dispatchGemm uses matmul-gemm-sg.ts instead:
 * there even a same-address ("uniform") row load runs the per-lane loop, once per lane, so
 * the P rows are loaded once per workgroup and shared with subgroupBroadcast.
 */
import { Params } from '../params.js';
import type { WebGPUBackend } from '../webgpu-backend.js';
import type { GpuStorage } from '../gpu-storage.js';
import { chooseSgTile, pIsVec4, sgGemmSource, sgLanes, type SgTile } from './matmul-gemm-sg.js';

export interface GemmTile {
  /** Rows of D per workgroup (each lane computes all of them). */
  R: number;
  /** vec4 column groups per lane. */
  C4: number;
  /** Lanes per workgroup. */
  WG: number;
}

export interface GemmProblem {
  M: number;
  N: number;
  K: number;
  /** Element strides of P (i, k), Q (k, j), D (i, j). */
  sP: [number, number];
  sQ: [number, number];
  sD: [number, number];
  /** Batch shape (may be empty) and, per batch axis, the element strides of P, Q and D (0 = broadcast). */
  batch: number[];
  bP: number[];
  bQ: number[];
  bD: number[];
}

const MAX_Z = 65535;

/** Vec4 loads of Q along j need unit j-stride and every row start 16-byte aligned. */
export function qIsVec4(p: GemmProblem): boolean {
  return p.sQ[1] === 1 && p.N % 4 === 0 && p.sQ[0] % 4 === 0 && p.bQ.every((s) => s % 4 === 0);
}

function dIsVec4(p: GemmProblem): boolean {
  return p.sD[1] === 1 && p.N % 4 === 0 && p.sD[0] % 4 === 0 && p.bD.every((s) => s % 4 === 0);
}

function gemmParams(p: GemmProblem, b0: number): Params {
  return new Params()
    .u32('M', p.M).u32('N', p.N).u32('K', p.K)
    .u32('sPi', p.sP[0]).u32('sPk', p.sP[1]).u32('sQk', p.sQ[0]).u32('sQj', p.sQ[1]).u32('sDi', p.sD[0]).u32('sDj', p.sD[1])
    .u32('b0', b0).u32s('bs', p.batch).u32s('bp', p.bP).u32s('bq', p.bQ).u32s('bd', p.bD);
}

/** Picks a tile: 16 x (16 lanes x 8 columns) for large problems, narrower/shorter for small ones. */
export function chooseTile(M: number, N: number): GemmTile {
  let R = 16;
  while (R > 1 && R / 2 >= M) R /= 2;
  if (N <= 32) return { R, C4: 1, WG: 8 };
  if (N <= 64) return { R, C4: 2, WG: 8 };
  return { R, C4: 2, WG: 16 };
}

function gemmSource(t: GemmTile, batchRank: number, qVec: boolean, dVec: boolean): string {
  const { R, C4, WG } = t;
  const L: string[] = [];
  L.push('@group(0) @binding(0) var<storage, read> Pm: array<f32>;');
  L.push(`@group(0) @binding(1) var<storage, read> Qm: array<${qVec ? 'vec4<f32>' : 'f32'}>;`);
  L.push(`@group(0) @binding(2) var<storage, read_write> Dm: array<${dVec ? 'vec4<f32>' : 'f32'}>;`);
  L.push('@group(0) @binding(3) var<storage, read> P: Params;');
  L.push(`@compute @workgroup_size(${WG})`);
  L.push('fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {');
  // Batch offsets: unravel the batch index over the batch shape.
  L.push('  var pOff = 0u; var qOff = 0u; var dOff = 0u;');
  if (batchRank > 0) {
    L.push('  var b = wg.z + P.b0;');
    for (let d = batchRank - 1; d >= 0; d--) {
      L.push(`  { let ix = b % P.bs[${d}]; b = b / P.bs[${d}]; pOff += ix * P.bp[${d}]; qOff += ix * P.bq[${d}]; dOff += ix * P.bd[${d}]; }`);
    }
  }
  // Parameters are storage reads (a per-lane load loop on llvmpipe): read each once.
  L.push('  let K = P.K; let sPk = P.sPk; let sQk = P.sQk;');
  L.push(`  let i0 = wg.y * ${R}u;`);
  L.push(`  let j40 = wg.x * ${WG * C4}u + lid.x;`);
  L.push('  let lastRow = P.M - 1u;');
  for (let r = 0; r < R; r++) L.push(`  let p${r} = pOff + min(i0 + ${r}u, lastRow) * P.sPi;`);
  if (qVec) {
    L.push('  let lastJ4 = P.N / 4u - 1u;');
    L.push('  let q4Off = qOff / 4u; let sQk4 = sQk / 4u;');
    for (let c = 0; c < C4; c++) L.push(`  let q${c} = q4Off + min(j40 + ${c * WG}u, lastJ4);`);
  } else {
    L.push('  let lastJ = P.N - 1u;');
    for (let c = 0; c < C4; c++) {
      for (let e = 0; e < 4; e++) L.push(`  let q${c}_${e} = qOff + min((j40 + ${c * WG}u) * 4u + ${e}u, lastJ) * P.sQj;`);
    }
  }
  for (let r = 0; r < R; r++) L.push(`  ${Array.from({ length: C4 }, (_, c) => `var acc${r}_${c} = vec4<f32>(0.0);`).join(' ')}`);
  L.push('  for (var k = 0u; k < K; k++) {');
  if (qVec) {
    L.push('    let qk = k * sQk4;');
    for (let c = 0; c < C4; c++) L.push(`    let b${c} = Qm[qk + q${c}];`);
  } else {
    L.push('    let qk = k * sQk;');
    for (let c = 0; c < C4; c++) L.push(`    let b${c} = vec4<f32>(${[0, 1, 2, 3].map((e) => `Qm[qk + q${c}_${e}]`).join(', ')});`);
  }
  L.push('    let pk = k * sPk;');
  for (let r = 0; r < R; r++) {
    L.push(`    { let a = vec4<f32>(Pm[p${r} + pk]);`);
    for (let c = 0; c < C4; c++) L.push(`      acc${r}_${c} = fma(a, b${c}, acc${r}_${c});`);
    L.push('    }');
  }
  L.push('  }');
  // Stores, guarded against the ragged edges.
  for (let r = 0; r < R; r++) {
    L.push(`  if (i0 + ${r}u < P.M) {`);
    L.push(`    let dr = dOff + (i0 + ${r}u) * P.sDi;`);
    for (let c = 0; c < C4; c++) {
      L.push(`    { let j = (j40 + ${c * WG}u) * 4u;`);
      if (dVec) {
        L.push(`      if (j < P.N) { Dm[(dr + j) / 4u] = acc${r}_${c}; }`);
      } else {
        for (let e = 0; e < 4; e++) L.push(`      if (j + ${e}u < P.N) { Dm[dr + (j + ${e}u) * P.sDj] = acc${r}_${c}.${'xyzw'[e]}; }`);
      }
      L.push('    }');
    }
    L.push('  }');
  }
  L.push('}');
  return L.join('\n');
}

/**
 * Records the GEMM into `d` (which the caller allocated with the full output size): the
 * subgroup kernel of matmul-gemm-sg.ts where it applies (llvmpipe), else the kernel above.
 * `forceTile` (tests and benchmarks) picks the kernel and tile: a GemmTile the kernel above, an
 * SgTile the subgroup kernel (which needs sgLanes(device) === tile.S).
 */
export function dispatchGemm(backend: WebGPUBackend, p: GemmProblem, pBuf: GpuStorage, qBuf: GpuStorage, d: GpuStorage, forceTile?: GemmTile | SgTile): void {
  const nb = p.batch.reduce((a, v) => a * v, 1);
  if (p.M === 0 || p.N === 0 || nb === 0) return;
  const qVec = qIsVec4(p);
  const dVec = dIsVec4(p);
  const rank = p.batch.length;
  const forceSg = forceTile && 'TM' in forceTile ? forceTile : undefined;
  const S = forceSg ? forceSg.S : forceTile ? 0 : sgLanes(backend.device);
  if (S > 0) {
    const t = forceSg ?? chooseSgTile(p.M, p.N, p.K, S);
    const pVec = (t.KB ?? 4) === 4 && pIsVec4(p);
    const gx = Math.ceil(p.N / (4 * t.C4 * S));
    const gy = Math.ceil(p.M / t.TM);
    for (let b0 = 0; b0 < nb; b0 += MAX_Z) {
      backend.dispatch({
        key: `gemm-sg:T${t.TM}:C${t.C4}:S${S}:k${t.KB ?? 4}:b${rank}:${pVec ? 'p4' : 'p1'}:${qVec ? 'q4' : 'q1'}:${dVec ? 'd4' : 'd1'}`,
        source: () => sgGemmSource(t, rank, pVec, qVec, dVec),
        inputs: [pBuf, qBuf],
        outputs: [d],
        params: gemmParams(p, b0),
        workgroups: [gx, gy, Math.min(MAX_Z, nb - b0)],
      });
    }
    return;
  }
  const tile = (forceTile as GemmTile | undefined) ?? chooseTile(p.M, p.N);
  const gx = Math.ceil(p.N / (4 * tile.C4 * tile.WG));
  const gy = Math.ceil(p.M / tile.R);
  for (let b0 = 0; b0 < nb; b0 += MAX_Z) {
    const params = gemmParams(p, b0);
    backend.dispatch({
      key: `gemm:R${tile.R}:C${tile.C4}:W${tile.WG}:b${rank}:${qVec ? 'q4' : 'q1'}:${dVec ? 'd4' : 'd1'}`,
      source: () => gemmSource(tile, rank, qVec, dVec),
      inputs: [pBuf, qBuf],
      outputs: [d],
      params,
      workgroups: [gx, gy, Math.min(MAX_Z, nb - b0)],
    });
  }
}
