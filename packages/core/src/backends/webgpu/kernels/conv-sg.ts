/**
 * Conv2d forward as an implicit GEMM on one subgroup per workgroup, for llvmpipe (see
 * matmul-gemm-sg.ts for why): rows = output channels o of a group, columns = output pixels,
 * k = (c, ky, kx). The weights (P, contiguous along k) are loaded once per workgroup, spread
 * over the lanes, and reach every lane through subgroupBroadcast; each lane gathers its own
 * image values (Q) with zero padding through a clamped index and select(), as in conv.ts.
 *
 * kh and kw are compiled in (the k -> (c, ky, kx) split is then a multiply-shift); strides,
 * padding and dilation are parameters.
 */
import { chooseSgTile, sgFmaBlock, sgFmaStep, type SgTile } from './matmul-gemm-sg.js';

/**
 * The GEMM's tile (chooseSgTile) with 3S rows instead of 2S when it is the large one: on the
 * 3x3 64->64 conv on 128x128, 24 rows took 0.92-0.95x the time of 16 (43 against 47 ms), 32
 * rows 1.04x, 40 and 48 rows 1.6x (paired A/B in one process, 9 rounds, 3 runs). The image
 * gather per column costs more than a GEMM's Q load, so more rows per gathered column pay off
 * here; on the GEMM's own products 24 rows were no better than 16.
 */
export function chooseConvSgTile(M: number, Ncols: number, K: number, S: number): SgTile {
  // The conv kernel runs 4 k steps per iteration (its own loop): no KB here.
  const t = chooseSgTile(M, Ncols, K, S);
  if (t.TM <= S) return { TM: t.TM, C4: t.C4, S };
  return { TM: M > 2 * S ? 3 * S : 2 * S, C4: 1, S };
}

/**
 * WGSL of the forward implicit GEMM. Bindings: 0 weights, 1 input, [2 bias], then the output,
 * then Params (the backend declares the struct after `enable subgroups;`). `pVec`: weights
 * read as vec4 along k (K % 4 == 0).
 */
export function convFwdSgSource(t: SgTile, kh: number, kw: number, bias: boolean, pVec: boolean): string {
  const { TM, C4, S } = t;
  const H = Math.ceil(TM / S);
  const J = 4 * C4;
  const khw = kh * kw;
  const L: string[] = ['enable subgroups;'];
  let b = 0;
  L.push(`@group(0) @binding(${b++}) var<storage, read> Pm: array<${pVec ? 'vec4<f32>' : 'f32'}>;`);
  L.push(`@group(0) @binding(${b++}) var<storage, read> Qm: array<f32>;`);
  if (bias) L.push(`@group(0) @binding(${b++}) var<storage, read> Bm: array<f32>;`);
  L.push(`@group(0) @binding(${b++}) var<storage, read_write> Dm: array<f32>;`);
  L.push(`@group(0) @binding(${b}) var<storage, read> P: Params;`);
  L.push(`@compute @workgroup_size(${S})`);
  L.push('fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(subgroup_invocation_id) sid: u32) {');
  // Parameters are storage reads (per-lane loops on llvmpipe): read each once.
  L.push('  let M = P.M; let Ncols = P.Ncols; let K = P.K; let groups = P.groups; let C = P.C; let O = P.O; let cg = P.cg;');
  L.push('  let Hh = i32(P.H); let Ww = i32(P.W); let HW = P.HW; let Wo = P.Wo;');
  L.push('  let sy = P.sy; let sx = P.sx; let py = P.py; let px = P.px; let dy = P.dy; let dx = P.dx;');
  L.push('  let z = wg.z + P.z0; let g = z % groups; let n = z / groups;');
  L.push(`  let i0 = wg.y * ${TM}u; let lastRow = M - 1u; let lastJ = Ncols - 1u;`);
  L.push(`  let jl = (wg.x * ${S * C4}u + lid.x) * 4u;`);
  L.push('  let pOff = g * M * K; let qOff = (n * C + g * cg) * HW;');
  L.push('  let dOff = (n * O + g * M) * Ncols;');
  const js = Array.from({ length: J }, (_, q) => `jl + ${Math.floor(q / 4) * S * 4 + (q % 4)}u`);
  js.forEach((j, q) => L.push(`  let y${q} = i32(min(${j}, lastJ) / Wo) * sy - py; let x${q} = i32(min(${j}, lastJ) % Wo) * sx - px;`));
  for (let h = 0; h < H; h++) L.push(`  let p${h} = pOff + min(i0 + ${h * S}u + sid, lastRow) * K;`);
  if (pVec) for (let h = 0; h < H; h++) L.push(`  let p4_${h} = p${h} / 4u;`);
  for (let r = 0; r < TM; r++) L.push(`  ${Array.from({ length: C4 }, (_, c) => `var acc${r}_${c} = vec4<f32>(0.0);`).join(' ')}`);
  // Image values of this lane's columns at reduction index k (expression), as b<kk>_<c>.
  const loadQ = (k: string, kk: number): string[] => {
    const out: string[] = [];
    out.push(`    let kq${kk} = ${k}; let c${kk} = kq${kk} / ${khw}u; let t${kk} = kq${kk} % ${khw}u;`);
    out.push(`    let qc${kk} = qOff + c${kk} * HW; let oy${kk} = i32(t${kk} / ${kw}u) * dy; let ox${kk} = i32(t${kk} % ${kw}u) * dx;`);
    js.forEach((_, q) => {
      out.push(`    let iy${kk}_${q} = y${q} + oy${kk}; let ix${kk}_${q} = x${q} + ox${kk};`);
      out.push(`    let ok${kk}_${q} = iy${kk}_${q} >= 0 && iy${kk}_${q} < Hh && ix${kk}_${q} >= 0 && ix${kk}_${q} < Ww;`);
      out.push(`    let v${kk}_${q} = select(0.0, Qm[select(0u, qc${kk} + u32(iy${kk}_${q} * Ww + ix${kk}_${q}), ok${kk}_${q})], ok${kk}_${q});`);
    });
    for (let c = 0; c < C4; c++) out.push(`    let b${kk}_${c} = vec4<f32>(${[0, 1, 2, 3].map((e) => `v${kk}_${c * 4 + e}`).join(', ')});`);
    return out;
  };
  L.push('  let K4 = K / 4u;');
  L.push('  for (var k4 = 0u; k4 < K4; k4++) {');
  L.push('    let k = k4 * 4u;');
  for (let h = 0; h < H; h++) {
    if (pVec) L.push(`    let a${h} = Pm[p4_${h} + k4];`);
    else L.push(`    let a${h} = vec4<f32>(${[0, 1, 2, 3].map((e) => `Pm[p${h} + k + ${e}u]`).join(', ')});`);
  }
  for (let kk = 0; kk < 4; kk++) L.push(...loadQ(`k + ${kk}u`, kk));
  // Row by row (see sgFmaBlock): 0.83x the time of the step-by-step order on the 3x3 64->64
  // conv on 128x128 (paired A/B in one process, 8 rounds).
  L.push(...sgFmaBlock(t));
  L.push('  }');
  if (!pVec) {
    L.push('  for (var k = K4 * 4u; k < K; k++) {');
    for (let h = 0; h < H; h++) L.push(`    let a${h} = Pm[p${h} + k];`);
    L.push(...loadQ('k', 0));
    L.push(...sgFmaStep(t));
    L.push('  }');
  }
  for (let r = 0; r < TM; r++) {
    L.push(`  if (i0 + ${r}u < M) {`);
    L.push(`    let dr = dOff + (i0 + ${r}u) * Ncols;`);
    if (bias) L.push(`    let bv = Bm[g * M + i0 + ${r}u];`);
    for (let c = 0; c < C4; c++) {
      for (let e = 0; e < 4; e++) {
        L.push(`    if (jl + ${c * S * 4 + e}u < Ncols) { Dm[dr + jl + ${c * S * 4 + e}u] = acc${r}_${c}.${'xyzw'[e]}${bias ? ' + bv' : ''}; }`);
      }
    }
    L.push('  }');
  }
  L.push('}');
  return L.join('\n');
}
