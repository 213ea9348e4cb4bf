/**
 * Conv2d, Conv2dBackpropInput and Conv2dBackpropFilter on WebGPU as implicit GEMMs (no im2col
 * buffer): the register tiling of matmul-gemm.ts (R uniform rows x 4*C4 lane columns per lane,
 * no shared memory), with the "Q" operand read straight from the image with zero padding.
 *
 *   forward:      rows o (per group), cols output pixels,  k = (c, ky, kx)     P = w, Q = x
 *   input grad:   rows c (per group), cols input pixels,   k = (o, ky, kx)     P = w, Q = dy (where the stride divides)
 *   filter grad:  rows o (per group), cols (c, ky, kx),     k = (n, y, x)      P = dy, Q = x
 *
 * Index formulas: out(y, x) reads in(y*s - p + ky*d, x*s - p + kx*d) (PyTorch's Conv2d). Loads
 * outside the image read 0 through select() on a clamped index, so every load is in bounds.
 * Batch x groups runs on workgroup z. On llvmpipe (subgroups) the forward pass uses the
 * subgroup implicit GEMM of conv-sg.ts instead (weights loaded once per workgroup).
 */
import type { Tensor } from '../../../tensor.js';
import type { GpuStorage } from '../gpu-storage.js';
import { Params } from '../params.js';
import { registerWebGPUKernel } from '../register.js';
import { st, type WebGPUBackend } from '../webgpu-backend.js';
import { chooseConvSgTile, convFwdSgSource } from './conv-sg.js';
import { chooseTile, type GemmTile } from './matmul-gemm.js';
import { sgLanes } from './matmul-gemm-sg.js';

type Kind = 'fwd' | 'dx' | 'dw';

interface ConvGeom {
  N: number; C: number; H: number; W: number;
  O: number; Ho: number; Wo: number;
  kh: number; kw: number;
  sy: number; sx: number; py: number; px: number; dy: number; dx: number;
  groups: number;
}

const MAX_Z = 65535;

/**
 * The WGSL of one implicit GEMM. Per kind, `rowBase`/`colSetup` compute loop-invariant
 * offsets and `loadQ` the image value of lane column `j` at reduction step `k`.
 */
function source(kind: Kind, t: GemmTile, bias: boolean): string {
  const { R, C4, WG } = t;
  const J = 4 * C4;
  const L: string[] = [];
  let b = 0;
  L.push(`@group(0) @binding(${b++}) var<storage, read> Pm: array<f32>;`);
  L.push(`@group(0) @binding(${b++}) var<storage, read> Qm: array<f32>;`);
  if (bias) L.push(`@group(0) @binding(${b++}) var<storage, read> Bm: array<f32>;`);
  L.push(`@group(0) @binding(${b++}) var<storage, read_write> Dm: array<f32>;`);
  L.push(`@group(0) @binding(${b}) var<storage, read> P: Params;`);
  L.push(`@compute @workgroup_size(${WG})`);
  L.push('fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {');
  L.push('  let z = wg.z + P.z0; let g = z % P.groups; let n = z / P.groups;');
  L.push(`  let i0 = wg.y * ${R}u; let lastRow = P.M - 1u; let lastJ = P.Ncols - 1u;`);
  L.push(`  let jl = (wg.x * ${WG * C4}u + lid.x) * 4u;`);
  // Lane columns: j = jl + (c*WG)*4 + e.
  const js = Array.from({ length: J }, (_, q) => `jl + ${Math.floor(q / 4) * WG * 4 + (q % 4)}u`);
  if (kind === 'fwd') {
    // P = w[g*Og + i, k] (Kc = cg*kh*kw per row); Q = x[n, g*cg + c, oy*s - p + ky*d, ox*s - p + kx*d].
    L.push('  let pOff = g * P.M * P.K; let qOff = (n * P.C + g * P.cg) * P.HW;');
    L.push('  let dOff = (n * P.O + g * P.M) * P.Ncols;');
    js.forEach((j, q) => L.push(`  let y${q} = i32(min(${j}, lastJ) / P.Wo) * P.sy - P.py; let x${q} = i32(min(${j}, lastJ) % P.Wo) * P.sx - P.px;`));
  } else if (kind === 'dx') {
    // P = w[g*Og + o, i, ky, kx] with k = (o, ky, kx); Q = dy[n, g*Og + o, (y + p - ky*d)/s, (x + p - kx*d)/s].
    L.push('  let pOff = g * P.Og * P.M * P.khw; let qOff = (n * P.O + g * P.Og) * P.HoWo;');
    L.push('  let dOff = (n * P.C + g * P.M) * P.Ncols;');
    js.forEach((j, q) => L.push(`  let y${q} = i32(min(${j}, lastJ) / P.W) + P.py; let x${q} = i32(min(${j}, lastJ) % P.W) + P.px;`));
  } else {
    // P = dy[n', g*Og + i, y, x] with k = (n', y, x); Q = x[n', g*cg + c, y*s - p + ky*d, x*s - p + kx*d], j = (c, ky, kx).
    L.push('  let pOff = g * P.M * P.HoWo; let qOff = g * P.cg * P.HW;');
    L.push('  let dOff = g * P.M * P.Ncols;');
    js.forEach((j, q) => {
      L.push(`  let jj${q} = min(${j}, lastJ); let c${q} = jj${q} / P.khw; let t${q} = jj${q} % P.khw;`);
      L.push(`  let cy${q} = i32(t${q} / P.kw) * P.dy - P.py; let cx${q} = i32(t${q} % P.kw) * P.dx - P.px; let co${q} = qOff + c${q} * P.HW;`);
    });
  }
  for (let r = 0; r < R; r++) L.push(`  let p${r} = pOff + min(i0 + ${r}u, lastRow) * ${kind === 'dw' ? 'P.HoWo' : kind === 'dx' ? 'P.khw' : 'P.K'};`);
  for (let r = 0; r < R; r++) L.push(`  ${Array.from({ length: C4 }, (_, c) => `var acc${r}_${c} = vec4<f32>(0.0);`).join(' ')}`);
  const fma = (pIdx: (r: number) => string) => {
    const out: string[] = [];
    for (let c = 0; c < C4; c++) out.push(`    let b${c} = vec4<f32>(${[0, 1, 2, 3].map((e) => `v${c * 4 + e}`).join(', ')});`);
    for (let r = 0; r < R; r++) {
      out.push(`    { let a = vec4<f32>(Pm[${pIdx(r)}]);`);
      for (let c = 0; c < C4; c++) out.push(`      acc${r}_${c} = fma(a, b${c}, acc${r}_${c});`);
      out.push('    }');
    }
    return out;
  };
  if (kind === 'fwd') {
    L.push('  for (var c = 0u; c < P.cg; c++) { let qc = qOff + c * P.HW;');
    L.push('  for (var ky = 0u; ky < P.kh; ky++) { let oy = i32(ky) * P.dy;');
    L.push('  for (var kx = 0u; kx < P.kw; kx++) { let ox = i32(kx) * P.dx; let k = (c * P.kh + ky) * P.kw + kx;');
    js.forEach((_, q) => {
      L.push(`    let iy${q} = y${q} + oy; let ix${q} = x${q} + ox;`);
      L.push(`    let ok${q} = iy${q} >= 0 && iy${q} < i32(P.H) && ix${q} >= 0 && ix${q} < i32(P.W);`);
      L.push(`    let v${q} = select(0.0, Qm[select(0u, qc + u32(iy${q}) * P.W + u32(ix${q}), ok${q})], ok${q});`);
    });
    L.push(...fma((r) => `p${r} + k`));
    L.push('  }}}');
  } else if (kind === 'dx') {
    L.push('  for (var o = 0u; o < P.Og; o++) { let qo = qOff + o * P.HoWo; let po = o * P.M * P.khw;');
    L.push('  for (var ky = 0u; ky < P.kh; ky++) { let oy = i32(ky) * P.dy;');
    L.push('  for (var kx = 0u; kx < P.kw; kx++) { let ox = i32(kx) * P.dx; let kk = ky * P.kw + kx;');
    js.forEach((_, q) => {
      // Output row = (y + p - ky*d) / s when that is a whole number inside [0, Ho).
      L.push(`    let ty${q} = y${q} - oy; let tx${q} = x${q} - ox;`);
      L.push(`    let qy${q} = u32(max(ty${q}, 0)) / P.usy; let qx${q} = u32(max(tx${q}, 0)) / P.usx;`);
      L.push(`    let ok${q} = ty${q} >= 0 && tx${q} >= 0 && qy${q} * P.usy == u32(ty${q}) && qx${q} * P.usx == u32(tx${q}) && qy${q} < P.Ho && qx${q} < P.Wo;`);
      L.push(`    let v${q} = select(0.0, Qm[select(0u, qo + qy${q} * P.Wo + qx${q}, ok${q})], ok${q});`);
    });
    L.push(...fma((r) => `p${r} + po + kk`));
    L.push('  }}}');
  } else {
    L.push('  for (var nn = 0u; nn < P.N; nn++) { let pn = nn * P.O * P.HoWo; let qn = nn * P.C * P.HW;');
    L.push('  for (var q = 0u; q < P.HoWo; q++) { let oy = i32(q / P.Wo) * P.sy; let ox = i32(q % P.Wo) * P.sx;');
    js.forEach((_, q) => {
      L.push(`    let iy${q} = oy + cy${q}; let ix${q} = ox + cx${q};`);
      L.push(`    let ok${q} = iy${q} >= 0 && iy${q} < i32(P.H) && ix${q} >= 0 && ix${q} < i32(P.W);`);
      L.push(`    let v${q} = select(0.0, Qm[select(0u, qn + co${q} + u32(iy${q}) * P.W + u32(ix${q}), ok${q})], ok${q});`);
    });
    L.push(...fma((r) => `p${r} + pn + q`));
    L.push('  }}');
  }
  for (let r = 0; r < R; r++) {
    L.push(`  if (i0 + ${r}u < P.M) {`);
    L.push(`    let dr = dOff + (i0 + ${r}u) * P.Ncols;`);
    if (bias) L.push(`    let bv = Bm[g * P.M + i0 + ${r}u];`);
    for (let c = 0; c < C4; c++) {
      for (let e = 0; e < 4; e++) {
        L.push(`    if (jl + ${c * WG * 4 + e}u < P.Ncols) { Dm[dr + jl + ${c * WG * 4 + e}u] = acc${r}_${c}.${'xyzw'[e]}${bias ? ' + bv' : ''}; }`);
      }
    }
    L.push('  }');
  }
  L.push('}');
  return hoistParams(L).join('\n');
}

/**
 * Reads every `P.<field>` once at the top of main and uses the local inside the loops:
 * Params is a storage buffer, and on llvmpipe each storage read is a per-lane loop.
 */
function hoistParams(L: string[]): string[] {
  const at = L.findIndex((l) => l.startsWith('fn main('));
  const fields = new Set<string>();
  const body = L.slice(at + 1).map((l) => l.replace(/\bP\.(\w+)/g, (_, f: string) => (fields.add(f), `p_${f}`)));
  return [...L.slice(0, at + 1), ...[...fields].map((f) => `  let p_${f} = P.${f};`), ...body];
}

/**
 * The GEMM tile, except on SwiftShader, whose shader compiler takes minutes (or never
 * finishes) on the 8-column lane tiles with their padding selects: one vec4 of columns there.
 *
 * The SwiftShader sniff: `GPUDevice.adapterInfo.description` is matched against
 * /swiftshader/i (Dawn on Vulkan reports the driver's description, "SwiftShader driver
 * 5.0.0" with Debian's Chromium build; vendor 'google', architecture 'swiftshader').
 * Lavapipe reports "llvmpipe: Mesa ..." and keeps the full tile. On a match
 * the tile shrinks to at most 8 rows x 1 vec4 column with 8-lane workgroups: the same
 * arithmetic in smaller, less unrolled shaders, so results are unchanged and only speed
 * differs (SwiftShader is a correctness target here, not a speed one). The tile is part
 * of the pipeline key, so both variants can coexist in the cache. If `adapterInfo` is
 * missing (older implementations) the sniff silently fails and the full tile is used,
 * which may then stall SwiftShader's compiler. It is a workaround, not a capability
 * query: WebGPU exposes no "compiler cost" limit to test instead. Covered by
 * test/smoke.swiftshader.test.ts (conv2d on SwiftShader, `vitest --project swiftshader`).
 */
function convTile(backend: WebGPUBackend, M: number, Ncols: number): GemmTile {
  const t = chooseTile(M, Ncols);
  const info = (backend.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  if (/swiftshader/i.test(info?.description ?? '')) return { R: Math.min(t.R, 8), C4: 1, WG: 8 };
  return t;
}

function run(backend: WebGPUBackend, kind: Kind, gm: ConvGeom, p: GpuStorage, q: GpuStorage, bias: GpuStorage | null, out: GpuStorage): void {
  const cg = gm.C / gm.groups;
  const Og = gm.O / gm.groups;
  const khw = gm.kh * gm.kw;
  // GEMM rows (M), columns (Ncols) and reduction length (K) of one (batch, group) problem.
  const [M, Ncols, K, Z] =
    kind === 'fwd' ? [Og, gm.Ho * gm.Wo, cg * khw, gm.N * gm.groups]
      : kind === 'dx' ? [cg, gm.H * gm.W, Og * khw, gm.N * gm.groups]
        : [Og, cg * khw, gm.N * gm.Ho * gm.Wo, gm.groups];
  if (M === 0 || Ncols === 0 || Z === 0) return;
  const S = kind === 'fwd' ? sgLanes(backend.device) : 0;
  if (S > 0) {
    // llvmpipe: the subgroup implicit GEMM of conv-sg.ts.
    const t = chooseConvSgTile(M, Ncols, K, S);
    const pVec = K % 4 === 0;
    const gx = Math.ceil(Ncols / (4 * t.C4 * S));
    const gy = Math.ceil(M / t.TM);
    for (let z0 = 0; z0 < Z; z0 += MAX_Z) {
      const params = new Params()
        .u32('M', M).u32('Ncols', Ncols).u32('K', K).u32('z0', z0).u32('groups', gm.groups)
        .u32('C', gm.C).u32('O', gm.O).u32('cg', cg).u32('H', gm.H).u32('W', gm.W).u32('HW', gm.H * gm.W).u32('Wo', gm.Wo)
        .i32('sy', gm.sy).i32('sx', gm.sx).i32('py', gm.py).i32('px', gm.px).i32('dy', gm.dy).i32('dx', gm.dx);
      backend.dispatch({
        key: `conv-fwd-sg:T${t.TM}:C${t.C4}:S${S}:k${gm.kh}x${gm.kw}:${pVec ? 'p4' : 'p1'}${bias ? ':bias' : ''}`,
        source: () => convFwdSgSource(t, gm.kh, gm.kw, !!bias, pVec),
        inputs: bias ? [p, q, bias] : [p, q],
        outputs: [out],
        params,
        workgroups: [gx, gy, Math.min(MAX_Z, Z - z0)],
      });
    }
    return;
  }
  const tile = convTile(backend, M, Ncols);
  const gx = Math.ceil(Ncols / (4 * tile.C4 * tile.WG));
  const gy = Math.ceil(M / tile.R);
  for (let z0 = 0; z0 < Z; z0 += MAX_Z) {
    const params = new Params()
      .u32('M', M).u32('Ncols', Ncols).u32('K', K).u32('z0', z0).u32('groups', gm.groups)
      .u32('N', gm.N).u32('C', gm.C).u32('O', gm.O).u32('cg', cg).u32('Og', Og)
      .u32('H', gm.H).u32('W', gm.W).u32('HW', gm.H * gm.W).u32('Ho', gm.Ho).u32('Wo', gm.Wo).u32('HoWo', gm.Ho * gm.Wo)
      .u32('kh', gm.kh).u32('kw', gm.kw).u32('khw', khw)
      .i32('sy', gm.sy).i32('sx', gm.sx).u32('usy', gm.sy).u32('usx', gm.sx).i32('py', gm.py).i32('px', gm.px).i32('dy', gm.dy).i32('dx', gm.dx);
    backend.dispatch({
      key: `conv-${kind}:R${tile.R}:C${tile.C4}:W${tile.WG}${bias ? ':bias' : ''}`,
      source: () => source(kind, tile, !!bias),
      inputs: bias ? [p, q, bias] : [p, q],
      outputs: [out],
      params,
      workgroups: [gx, gy, Math.min(MAX_Z, Z - z0)],
    });
  }
}

function geom(x: readonly number[], w: readonly number[], y: readonly number[], a: { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number }): ConvGeom {
  return {
    N: x[0], C: x[1], H: x[2], W: x[3], O: w[0], Ho: y[2], Wo: y[3], kh: w[2], kw: w[3],
    sy: a.stride[0], sx: a.stride[1], py: a.padding[0], px: a.padding[1], dy: a.dilation[0], dx: a.dilation[1], groups: a.groups,
  };
}

const outSize = (n: number, k: number, s: number, p: number, d: number): number => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;

registerWebGPUKernel('Conv2d', (inputs: Tensor[], a, backend) => {
  const [x, w, bias] = inputs;
  const [N, , H, W] = x.shape;
  const [O, , kh, kw] = w.shape;
  const shape = [N, O, outSize(H, kh, a.stride[0], a.padding[0], a.dilation[0]), outSize(W, kw, a.stride[1], a.padding[1], a.dilation[1])];
  const out = backend.createOutput(x.dtype, shape[0] * shape[1] * shape[2] * shape[3]);
  run(backend, 'fwd', geom(x.shape, w.shape, shape, a), st(w), st(x), bias ? st(bias) : null, out);
  return { storage: out, shape, dtype: x.dtype };
});

registerWebGPUKernel('Conv2dBackpropInput', ([dy, w], a, backend) => {
  const shape = [...a.inputShape];
  const out = backend.createOutput(dy.dtype, shape[0] * shape[1] * shape[2] * shape[3]);
  // For the transposed convolution, w is (O, C/groups, kh, kw) with O = dy's channels.
  run(backend, 'dx', geom(shape, w.shape, dy.shape, a), st(w), st(dy), null, out);
  return { storage: out, shape, dtype: dy.dtype };
});

registerWebGPUKernel('Conv2dBackpropFilter', ([x, dy], a, backend) => {
  const shape = [...a.filterShape];
  const out = backend.createOutput(x.dtype, shape[0] * shape[1] * shape[2] * shape[3]);
  run(backend, 'dw', geom(x.shape, shape, dy.shape, a), st(dy), st(x), null, out);
  return { storage: out, shape, dtype: x.dtype };
});
