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
 * The register tile (TM x 4*C4 accumulators per lane, 32 x 8 for large problems) is larger
 * than the CPU's register file; the spills go to L1 and cost less than the loads they save
 * (measured with bench/explore-subgroup.ts: 0.9 FMA-lanes per instruction in the k loop
 * against 0.25 for the uniform-row kernel).
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
 * The tile for an M x N x K problem on a subgroup of S lanes: 16 rows x 2 vec4 per lane when
 * the product is large (on llvmpipe 8..32 rows with 2 vec4 measured alike, and 16 compiles in
 * a few seconds where 32 takes tens), one vec4 per lane and S rows otherwise (small
 * problems: the shader compile would cost more than the product).
 */
export function chooseSgTile(M: number, N: number, K: number, S: number): SgTile {
  const big = M * N * K >= 1 << 22 && M > S && N > 4 * S;
  return big ? { TM: 2 * S, C4: 2, S } : { TM: S, C4: 1, S };
}

/**
 * The WGSL of the subgroup GEMM (entry point `main`). `enable subgroups;` must open the module,
 * so the Params struct is declared here (`paramsWgsl`) and bound as an ordinary input.
 */
export function sgGemmSource(t: SgTile, batchRank: number, pVec: boolean, qVec: boolean, dVec: boolean, paramsWgsl: string): string {
  const { TM, C4, S } = t;
  const H = Math.ceil(TM / S);
  const L: string[] = ['enable subgroups;', paramsWgsl];
  L.push(`@group(0) @binding(0) var<storage, read> Pm: array<${pVec ? 'vec4<f32>' : 'f32'}>;`);
  L.push(`@group(0) @binding(1) var<storage, read> Qm: array<${qVec ? 'vec4<f32>' : 'f32'}>;`);
  L.push('@group(0) @binding(2) var<storage, read> P: Params;');
  L.push(`@group(0) @binding(3) var<storage, read_write> Dm: array<${dVec ? 'vec4<f32>' : 'f32'}>;`);
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
  const fmas = (kk: number, comp: string): string[] => {
    const out: string[] = [];
    for (let r = 0; r < TM; r++) {
      out.push(`    { let a = vec4<f32>(subgroupBroadcast(a${Math.floor(r / S)}${comp}, ${r % S}u));`);
      for (let c = 0; c < C4; c++) out.push(`      acc${r}_${c} = fma(a, b${kk}_${c}, acc${r}_${c});`);
      out.push('    }');
    }
    return out;
  };
  // Main loop: 4 steps of k per iteration.
  L.push('  let K4 = K / 4u;');
  L.push('  for (var k4 = 0u; k4 < K4; k4++) {');
  L.push('    let k = k4 * 4u;');
  for (let h = 0; h < H; h++) {
    if (pVec) L.push(`    let a${h} = Pm[p4_${h} + k4];`);
    else L.push(`    let a${h} = vec4<f32>(${[0, 1, 2, 3].map((e) => `Pm[p${h} + (k + ${e}u) * sPk]`).join(', ')});`);
  }
  for (let kk = 0; kk < 4; kk++) L.push(...loadQ(`k + ${kk}u`, kk));
  for (let kk = 0; kk < 4; kk++) L.push(...fmas(kk, `.${'xyzw'[kk]}`));
  L.push('  }');
  if (!pVec) {
    // The last K % 4 steps, one at a time.
    L.push('  for (var k = K4 * 4u; k < K; k++) {');
    for (let h = 0; h < H; h++) L.push(`    let a${h} = Pm[p${h} + k * sPk];`);
    L.push(...loadQ('k', 0));
    L.push(...fmas(0, ''));
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
