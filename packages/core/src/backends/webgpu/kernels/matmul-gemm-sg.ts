/**
 * The strided GEMM of matmul-gemm.ts (D = P Q, same bindings and Params), written for Mesa's
 * llvmpipe (lavapipe), where every storage-buffer load is a per-lane loop with a bounds check
 * (Mesa 25.0 `emit_load_mem`; about 10 instructions per float per lane, even for an address
 * that is the same in every lane) while subgroup built-ins are single vector instructions
 * (`subgroupBroadcast` with a constant lane is a shuffle + broadcast).
 *
 * So a workgroup is one subgroup of S lanes and no float is loaded twice per workgroup:
 * - P (TM rows shared by all lanes): subgroup lane l loads rows l, l+S, ... for 4 steps of k
 *   (one vec4 when P is contiguous along k), and every lane takes the row values it needs from
 *   the owning lane with subgroupBroadcast (the workgroup is exactly one subgroup: its size is
 *   the adapter's fixed subgroup size);
 * - Q: lane l loads its own C4 vec4 column groups (interleaved across lanes), as in
 *   matmul-gemm.ts.
 * The register tile (TM x 4*C4 accumulators per lane, 16 x 4 for large problems, see
 * chooseSgTile) is larger than the CPU's register file; the spills go to L1 and cost less than
 * the loads they save (measured with bench/explore-subgroup.ts: 0.9 FMA-lanes per instruction
 * in the k loop against 0.25 for the uniform-row kernel).
 *
 * Odd sizes: rows and columns are clamped for loads (every load in bounds) and stores are
 * guarded; K that is not a multiple of 4 ends with a scalar k loop.
 */
import type { GemmProblem } from './matmul-gemm.js';

export interface SgTile {
  /** Rows of D per workgroup. */
  TM: number;
  /** vec4 column groups per lane. */
  C4: number;
  /** Subgroup size = workgroup size. */
  S: number;
  /** k steps per loop iteration (default 4; 2 halves the loop's code, P then loads as scalars). */
  KB?: 2 | 4;
}

/**
 * The subgroup size this kernel can be specialised for, or 0 to use matmul-gemm.ts's kernel:
 * only on llvmpipe (the tiling is tuned to its load costs), with the `subgroups` feature
 * enabled and a fixed subgroup size.
 */
export function sgLanes(device: GPUDevice): number {
  if (!device.features.has('subgroups')) return 0;
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number } }).adapterInfo;
  if (!info || !/llvmpipe/i.test(`${info.description} ${info.device}`)) return 0;
  const min = info.subgroupMinSize ?? 0;
  return min > 0 && min === info.subgroupMaxSize ? min : 0;
}

/** P loads as vec4 along k need unit k-stride, K % 4 == 0 and 16-byte aligned row starts. */
export function pIsVec4(p: GemmProblem): boolean {
  return p.sP[1] === 1 && p.K % 4 === 0 && p.sP[0] % 4 === 0 && p.bP.every((s) => s % 4 === 0);
}

/**
 * The tile for an M x N x K problem on a subgroup of S lanes (conv-sg.ts starts from it): 2S rows x one
 * vec4 per lane when the product is large, S rows otherwise (small problems: the shader compile
 * would cost more than the product). Measured on llvmpipe with bench/explore-gemm-tiles.ts
 * (process CPU time, tiles interleaved in one process, median of paired ratios over 10 rounds):
 * 16 x 1 vec4 against the former 16 x 2 vec4 takes 0.84x the time on 65,536 x 256 x 256 (the MLP's
 * forward and dX products), 0.80x on 256 x 256 x 65,536 (dW, P k-major) and 0.9-1.0x on
 * 1024^3; the 3x3 64->64 conv on 128x128 (conv-sg.ts) takes 0.6x (the same paired A/B twice;
 * bench/quick.ts conv, old and new code run alternately: 84-119 -> 50-51 ms). Although its k
 * loop runs more instructions per FMA (1.8 against 1.5, bench/dump-gemm-wgsl.ts: fewer FMAs per
 * Q load), half the accumulators spill less. 8 x 1 and 12 x 1 were slower. Measured again
 * after sgFmaBlock (same harness): 24 x 1 took 1.02x (forward), 1.06x (dW), 1.10x (1024^3) the
 * time of 16 x 1, 32 x 1 1.1-2.1x and 16 x 2 0.95-1.5x, although 32 x 1 runs the fewest k-loop
 * instructions per FMA (10.1 against 12.1): its 5,171-instruction loop body (about 27 KB of
 * code, against 3,102 for 16 x 1) likely no longer fits the CPU's decoded-op cache. With 2 k
 * steps per iteration (KB 2) the 32-row loop is 2,741 instructions (10.7 per FMA) and took
 * 0.86-0.88x (forward) and 0.77-0.91x (dW) the time of 16 x 1 on the MLP's 256-wide products,
 * but 0.95-1.10x on 1024^3 (two runs): so 32 rows x KB 2 for N <= 256, 16 x 1 above (24 x 1 x
 * KB 2 was 1.6-1.8x slower everywhere). The conv prefers 24 rows (conv-sg.ts).
 */
export function chooseSgTile(M: number, N: number, K: number, S: number): SgTile {
  const big = M * N * K >= 1 << 22 && M > S && N > 4 * S;
  if (big && N <= 256 && M >= 4 * S) return { TM: 4 * S, C4: 1, S, KB: 2 };
  return big ? { TM: 2 * S, C4: 1, S } : { TM: S, C4: 1, S };
}

/**
 * The FMAs of one 4-step k block (shared with conv-sg.ts): acc<r>_<c> += P(r, k+kk) * b<kk>_<c>
 * for kk = 0..3, where lane (r % S) holds P(r, k..k+3) in a<r / S> and b<kk>_<c> are this lane's
 * Q values. Row by row: each accumulator takes its 4 steps in a row, so its spill slot is loaded
 * and stored once per block instead of 4 times while the 4*C4 Q vectors stay in registers.
 * Against the step-by-step order: 3,102 instead of 3,711 instructions per 2,048 lane-FMAs in the
 * 16 x 1 loop, and 0.84-0.86x the time on 1024^3 and on the MLP's products (paired A/B in one
 * process, 7 rounds).
 */
export function sgFmaBlock(t: SgTile): string[] {
  const { TM, C4, S } = t;
  const KB = t.KB ?? 4;
  const out: string[] = [];
  for (let r = 0; r < TM; r++) {
    for (let c = 0; c < C4; c++) {
      let e = `acc${r}_${c}`;
      for (let kk = 0; kk < KB; kk++) e = `fma(vec4<f32>(subgroupBroadcast(a${Math.floor(r / S)}.${'xyzw'[kk]}, ${r % S}u)), b${kk}_${c}, ${e})`;
      out.push(`    acc${r}_${c} = ${e};`);
    }
  }
  return out;
}

/**
 * One step of k outside the blocked loop (the K % KB tail): the scalar a<h> of each row's
 * lane, broadcast, times the b0_<c> columns, accumulated.
 */
export function sgFmaStep(t: SgTile): string[] {
  const { TM, C4, S } = t;
  const out: string[] = [];
  for (let r = 0; r < TM; r++) {
    out.push(`    { let a = vec4<f32>(subgroupBroadcast(a${Math.floor(r / S)}, ${r % S}u));`);
    for (let c = 0; c < C4; c++) out.push(`      acc${r}_${c} = fma(a, b0_${c}, acc${r}_${c});`);
    out.push('    }');
  }
  return out;
}

/**
 * The WGSL of the subgroup GEMM (entry point `main`), with the same bindings as matmul-gemm.ts
 * (the backend puts its Params struct after the leading `enable subgroups;`).
 */
export function sgGemmSource(t: SgTile, batchRank: number, pVec: boolean, qVec: boolean, dVec: boolean): string {
  const { TM, C4, S } = t;
  const H = Math.ceil(TM / S);
  const L: string[] = ['enable subgroups;'];
  L.push(`@group(0) @binding(0) var<storage, read> Pm: array<${pVec ? 'vec4<f32>' : 'f32'}>;`);
  L.push(`@group(0) @binding(1) var<storage, read> Qm: array<${qVec ? 'vec4<f32>' : 'f32'}>;`);
  L.push(`@group(0) @binding(2) var<storage, read_write> Dm: array<${dVec ? 'vec4<f32>' : 'f32'}>;`);
  L.push('@group(0) @binding(3) var<storage, read> P: Params;');
  L.push(`@compute @workgroup_size(${S})`);
  L.push('fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(subgroup_invocation_id) sid: u32) {');
  L.push('  var pOff = 0u; var qOff = 0u; var dOff = 0u;');
  if (batchRank > 0) {
    L.push('  var b = wg.z + P.b0;');
    for (let d = batchRank - 1; d >= 0; d--) {
      L.push(`  { let ix = b % P.bs[${d}]; b = b / P.bs[${d}]; pOff += ix * P.bp[${d}]; qOff += ix * P.bq[${d}]; dOff += ix * P.bd[${d}]; }`);
    }
  }
  // Parameters are storage reads (per-lane loops on llvmpipe): read each once, outside the loop.
  L.push('  let M = P.M; let N = P.N; let K = P.K; let sPi = P.sPi; let sPk = P.sPk; let sQk = P.sQk; let sQj = P.sQj; let sDi = P.sDi; let sDj = P.sDj;');
  L.push(`  let i0 = wg.y * ${TM}u;`);
  L.push(`  let j40 = wg.x * ${S * C4}u + lid.x;`);
  L.push('  let lastRow = M - 1u;');
  // Rows this lane loads: i0 + h*S + lane.
  for (let h = 0; h < H; h++) L.push(`  let p${h} = pOff + min(i0 + ${h * S}u + sid, lastRow) * sPi;`);
  if (pVec) for (let h = 0; h < H; h++) L.push(`  let p4_${h} = p${h} / 4u;`);
  if (qVec) {
    L.push('  let lastJ4 = N / 4u - 1u;');
    L.push('  let q4Off = qOff / 4u; let sQk4 = sQk / 4u;');
    for (let c = 0; c < C4; c++) L.push(`  let q${c} = q4Off + min(j40 + ${c * S}u, lastJ4);`);
  } else {
    L.push('  let lastJ = N - 1u;');
    for (let c = 0; c < C4; c++) {
      for (let e = 0; e < 4; e++) L.push(`  let q${c}_${e} = qOff + min((j40 + ${c * S}u) * 4u + ${e}u, lastJ) * sQj;`);
    }
  }
  for (let r = 0; r < TM; r++) L.push(`  ${Array.from({ length: C4 }, (_, c) => `var acc${r}_${c} = vec4<f32>(0.0);`).join(' ')}`);
  const loadQ = (k: string, kk: number): string[] => {
    const out: string[] = [];
    if (qVec) {
      out.push(`    let qk${kk} = (${k}) * sQk4;`);
      for (let c = 0; c < C4; c++) out.push(`    let b${kk}_${c} = Qm[qk${kk} + q${c}];`);
    } else {
      out.push(`    let qk${kk} = (${k}) * sQk;`);
      for (let c = 0; c < C4; c++) out.push(`    let b${kk}_${c} = vec4<f32>(${[0, 1, 2, 3].map((e) => `Qm[qk${kk} + q${c}_${e}]`).join(', ')});`);
    }
    return out;
  };
  // Main loop: KB steps of k per iteration.
  const KB = t.KB ?? 4;
  L.push(`  let K4 = K / ${KB}u;`);
  L.push('  for (var k4 = 0u; k4 < K4; k4++) {');
  L.push(`    let k = k4 * ${KB}u;`);
  for (let h = 0; h < H; h++) {
    if (pVec) L.push(`    let a${h} = Pm[p4_${h} + k4];`);
    else L.push(`    let a${h} = vec${KB}<f32>(${Array.from({ length: KB }, (_, e) => `Pm[p${h} + (k + ${e}u) * sPk]`).join(', ')});`);
  }
  for (let kk = 0; kk < KB; kk++) L.push(...loadQ(`k + ${kk}u`, kk));
  L.push(...sgFmaBlock(t));
  L.push('  }');
  if (!pVec) {
    // The last K % KB steps, one at a time.
    L.push('  for (var k = K4 * ' + KB + 'u; k < K; k++) {');
    for (let h = 0; h < H; h++) L.push(`    let a${h} = Pm[p${h} + k * sPk];`);
    L.push(...loadQ('k', 0));
    L.push(...sgFmaStep(t));
    L.push('  }');
  }
  for (let r = 0; r < TM; r++) {
    L.push(`  if (i0 + ${r}u < M) {`);
    L.push(`    let dr = dOff + (i0 + ${r}u) * sDi;`);
    for (let c = 0; c < C4; c++) {
      L.push(`    { let j = (j40 + ${c * S}u) * 4u;`);
      if (dVec) {
        L.push(`      if (j < N) { Dm[(dr + j) / 4u] = acc${r}_${c}; }`);
      } else {
        for (let e = 0; e < 4; e++) L.push(`      if (j + ${e}u < N) { Dm[dr + (j + ${e}u) * sDj] = acc${r}_${c}.${'xyzw'[e]}; }`);
      }
      L.push('    }');
    }
    L.push('  }');
  }
  L.push('}');
  return L.join('\n');
}
