/**
 * Backward kernels (maths as ../cpu/rasterize-backward.ts and ../cpu/project-backward.ts).
 *
 * 1. `rasterizeBackward`: one workgroup per tile, one invocation per pixel. Each pixel
 *    walks its list entries [0, last) back to front, recovering the transmittance before
 *    each splat as T_i = T_{i+1} / (1 - alpha_i) from the stored T_final (3DGS backward),
 *    and the blend A_i of everything behind it (starting at the background). Per splat it
 *    forms dOut/dc = alpha T and dL/dalpha = T sum_c v_c (c - A_c), then dL/do',
 *    dL/dconic, dL/dmean2d.
 *    Reduction: WGSL has no float atomics, so a float add is a compare-and-swap loop on
 *    the bits (atomic<u32>). To keep global atomics rare, each batch of BB splats first
 *    stores per-(splat, pixel) terms in workgroup memory (w = alpha T and dL/do'; where alpha
 *    is unclamped, dL/dq = -o'/2 dL/do'); the
 *    workgroup then sums every (splat, component) over the tile's pixels and flushes ONE
 *    atomic add per splat, component and tile. (`naive: true` instead adds every pixel's
 *    contribution directly, for the benchmark.)
 *    `rasterizeBackwardDirect` (kernels 'direct', with `subgroups`): the same per-pixel maths
 *    for up to 8 pixels per invocation without workgroup memory; sums over the subgroup, then
 *    one atomic per splat, component and subgroup (see its comment).
 *    Gradient layout (f32 bits, planar): per Gaussian 12 words
 *      [A, B, C, u, v, |u|, |v|, o', r, g, b, z]  then  features (N, F).
 * 2. `projectBackward`: one invocation per Gaussian, recomputing the projection and
 *    propagating to means, quats, scales, opacities, colours (RGB or SH) and the view
 *    matrix; view-matrix terms are reduced per workgroup in workgroup memory.
 * 3. `viewReduce`: sums the per-workgroup view terms, adds the camera-centre term of the SH
 *    directions, packs the 16 column-major entries.
 *
 * Output layout of `gradOut` (f32, planar, offsets in floats):
 *   means 3N | quats 4N | scales 3N | opacities N | colors cs N | means2d 2N | means2dAbs 2N | viewMatrix 16
 *
 * API
 * - `encodeRasterizeBackward`, `encodeProjectBackward`, `gradOutLayout(n, colorStride)`
 */

import { type Frame, minSubgroupLanes, WGSL_LINEAR_GROUP } from './gpu-context.js';
import { paramsWgsl } from './params.js';
import { SCENE_BINDINGS_WGSL } from './project.js';
import { PROJECT_WGSL } from './project-wgsl.js';
import { blockWgsl, directBatchWgsl, directRows, featureWgsl, listBindingsWgsl, RASTER_CONSTANTS_WGSL, REACHES_WGSL } from './rasterize.js';

/**
 * Splats per backward batch (workgroup memory: 2 floats per splat and pixel, 31 KiB at 16x16
 * with 15; each batch costs a few workgroup barriers, so larger is faster: about 10% at 100k
 * Gaussians 512x512 on lavapipe against 12), fewer when the device's
 * maxComputeWorkgroupStorageSize is smaller (7 at the WebGPU default of 16 KiB with 16x16 tiles);
 * see `backwardBatch`.
 */
const BB_MAX = 15;

/** Batch size of the reduced backward that fits `storageBytes` of workgroup memory. */
export function backwardBatch(ts: number, storageBytes: number): number {
  // Per splat: sW + sO (8 B per pixel) + sMean, sConic, sRgb (48 B) + sIdx, sRows, sCols (12 B).
  return Math.max(1, Math.min(BB_MAX, Math.floor((storageBytes - 64) / (8 * ts * ts + 60))));
}
export const RASTER_GRAD_STRIDE = 12;
const PROJECT_BWD_WG = 128;

/** Float atomic add on `arr` (a storage array<atomic<u32>>) as a CAS loop. */
function atomicAddFWgsl(arr: string): string {
  return /* wgsl */ `
fn atomicAddF(i: u32, v: f32) {
  var old = atomicLoad(&${arr}[i]);
  loop {
    let r = atomicCompareExchangeWeak(&${arr}[i], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}`;
}

const rasterizeBackwardWgsl = (ts: number, F: number, naive: boolean, BB: number) => (): string => {
  const NT = ts * ts;
  // vec4 sums per feature reduction task: up to 16 channels per walk over a splat's box
  const FGV = Math.max(1, Math.min(4, Math.ceil(F / 4)));
  return /* wgsl */ `
${paramsWgsl(Math.max(1, Math.ceil(F / 4)))}
${RASTER_CONSTANTS_WGSL}
const TS: u32 = ${ts}u;
const NT: u32 = ${NT}u;
const BB: u32 = ${naive ? NT : BB}u; // naive: no per-pixel terms in workgroup memory, so batches as large as the forward's
const F: u32 = ${F}u;
const FG: u32 = ${4 * FGV}u; // feature channels per reduction task
const KT: u32 = ${2 + Math.ceil(F / (4 * FGV))}u; // reduction tasks per splat: geometry, colour + depth, one per FG feature channels
${listBindingsWgsl(F)}
@group(0) @binding(5) var<storage, read> aux: array<u32>;
@group(0) @binding(6) var<storage, read> vOut: array<f32>;
@group(0) @binding(7) var<storage, read_write> grads: array<atomic<u32>>;
${atomicAddFWgsl('grads')}

var<workgroup> sMean: array<vec4f, BB>;
var<workgroup> sConic: array<vec4f, BB>;
var<workgroup> sRgb: array<vec4f, BB>;
var<workgroup> sIdx: array<u32, BB>;
${naive ? '' : `var<workgroup> sW: array<f32, ${BB * NT}>;
var<workgroup> sO: array<f32, ${BB * NT}>;
// Rows and columns of the tile where each splat of the batch contributed (bit masks):
// the reduction walks only that box of pixels.
var<workgroup> sRows: array<atomic<u32>, BB>;
var<workgroup> sCols: array<atomic<u32>, BB>;`}
var<workgroup> maxLast: atomic<u32>;
var<workgroup> maxLastNow: u32;

@compute @workgroup_size(${ts}, ${ts})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let W = P.size.x; let H = P.size.y; let np = W * H;
  let tile = wid.y * P.size.z + wid.x;
  let px = wid.x * TS + lid.x;
  let py = wid.y * TS + lid.y;
  let inside = px < W && py < H;
  let p = py * W + px;
  let pix = vec2f(f32(px) + 0.5, f32(py) + 0.5);
  let smoothMode = smoothCutoff();
  let range = ranges[tile];

  var T = 1.0;
  var last = 0u;
  var vRgb = vec3f(0.0);
  var vAl = 0.0;
  var vZ = 0.0;
  ${featureWgsl.declare(F, 'vF')}
  // Features enter dL/dalpha only through vF . (f_i - A_i), A_i the features blended behind
  // splat i; vF is fixed per pixel, so the scalar vF . A_i follows the same recurrence as A_i
  // (vF . A = alpha vF . f + (1 - alpha) vF . A): one dot product per splat instead of F
  // running sums.
  var accVF = 0.0;
  if (inside) {
    T = bitcast<f32>(aux[2u * np + p]);
    last = aux[3u * np + p];
    vRgb = vec3f(vOut[3u * p], vOut[3u * p + 1u], vOut[3u * p + 2u]);
    vAl = vOut[(3u + F) * np + p];
    vZ = vOut[(4u + F) * np + p];
  }
  ${F > 0 ? `if (inside) {
    let vfo = 3u * np + F * p;
    ${featureWgsl.each(F, (k) => `vF${k} = ${featureWgsl.load(F, 'vOut', 'vfo', k, true)};`)}
  }
  ${featureWgsl.each(F, (k) => `accVF += dot(vF${k}, P.fbg[${k}]);`)}` : ''}
  var accRgb = P.bg.xyz;
  var accA = 0.0;
  var accZ = 0.0;

  if (li == 0u) { atomicStore(&maxLast, 0u); }
  workgroupBarrier();
  atomicMax(&maxLast, last);
  workgroupBarrier();
  if (li == 0u) { maxLastNow = atomicLoad(&maxLast); }
  let L = workgroupUniformLoad(&maxLastNow);
  let batches = (L + BB - 1u) / BB;
  for (var b = 0u; b < batches; b++) {
    let hi = L - b * BB;
    let lo = select(0u, hi - BB, hi > BB);
    let cnt = hi - lo;
    workgroupBarrier();
    if (li < cnt) {
      let g = pairVals[range.x + lo + li];
      sIdx[li] = g;
      let mean = splats[3u * g];
      sMean[li] = mean;
      sConic[li] = vec4f(splats[3u * g + 1u].xyz, skipBound(mean.z));
      sRgb[li] = splats[3u * g + 2u];
    }
    ${naive ? '' : 'if (li < BB) { atomicStore(&sRows[li], 0u); atomicStore(&sCols[li], 0u); }'}
    workgroupBarrier();
    for (var jj = 0u; jj < cnt; jj++) {
      let j = cnt - 1u - jj;
      var w = 0.0;
      var vq = 0.0;
      var vo = 0.0;
      let m = sMean[j];
      let c = sConic[j];
      let d = pix - m.xy;
      let q = c.x * d.x * d.x + 2.0 * c.y * d.x * d.y + c.z * d.y * d.y;
      if (inside && lo + j < last && q <= c.w) {
        let gs = exp(-0.5 * q);
        let raw = m.z * gs;
        var alpha = raw;
        var clamped = false;
        var used = true;
        if (!smoothMode) {
          clamped = raw > MAX_ALPHA;
          alpha = min(MAX_ALPHA, raw);
          used = alpha >= ALPHA_THRESHOLD;
        }
        if (used) {
          T = T / (1.0 - alpha);
          w = alpha * T;
          let col = sRgb[j].xyz;
          var va = dot(vRgb, col - accRgb) + vAl * (1.0 - accA) + vZ * (m.w - accZ);
          accRgb = col * alpha + (1.0 - alpha) * accRgb;
          accA = alpha + (1.0 - alpha) * accA;
          accZ = m.w * alpha + (1.0 - alpha) * accZ;
          ${F > 0 ? `let fb = sIdx[j] * F;
          var vf = 0.0;
          ${featureWgsl.each(F, (k) => `vf += dot(vF${k}, ${featureWgsl.load(F, 'features', 'fb', k)});`)}
          va += vf - accVF;
          accVF = vf * alpha + (1.0 - alpha) * accVF;` : ''}
          va *= T;
          if (!clamped) {
            vo = va * gs;
            vq = -0.5 * gs * m.z * va;
          }
        }
      }
      ${naive ? `if (w != 0.0) {
        let g = sIdx[j];
        let o = ${RASTER_GRAD_STRIDE}u * g;
        let vu = -2.0 * vq * (c.x * d.x + c.y * d.y);
        let vv = -2.0 * vq * (c.y * d.x + c.z * d.y);
        atomicAddF(o, vq * d.x * d.x);
        atomicAddF(o + 1u, 2.0 * vq * d.x * d.y);
        atomicAddF(o + 2u, vq * d.y * d.y);
        atomicAddF(o + 3u, vu);
        atomicAddF(o + 4u, vv);
        atomicAddF(o + 5u, abs(vu));
        atomicAddF(o + 6u, abs(vv));
        atomicAddF(o + 7u, vo);
        atomicAddF(o + 8u, w * vRgb.x);
        atomicAddF(o + 9u, w * vRgb.y);
        atomicAddF(o + 10u, w * vRgb.z);
        atomicAddF(o + 11u, w * vZ);
        ${F > 0 ? `let gf = ${RASTER_GRAD_STRIDE}u * P.cfg.x + g * F;` : ''}
        ${Array.from({ length: F }, (_, c) => `atomicAddF(gf + ${c}u, w * vF${c >> 2}[${c & 3}]);`).join('\n')}
      }` : `sW[j * NT + li] = w;
      sO[j * NT + li] = vo;
      if (w != 0.0) { atomicOr(&sRows[j], 1u << lid.y); atomicOr(&sCols[j], 1u << lid.x); }`}
    }
    ${naive ? '' : `workgroupBarrier();
    // Sum over the tile's pixels: task 0 of a splat = its 8 geometry sums, task 1 = r, g, b and
    // depth, tasks 2.. = FG feature channels each; one global atomic per splat, component and tile.
    let x0 = f32(wid.x * TS) + 0.5;
    let y0 = f32(wid.y * TS) + 0.5;
    for (var task = li; task < cnt * KT; task += NT) {
      let j = task / KT;
      let kind = task % KT;
      let rows = atomicLoad(&sRows[j]);
      if (rows == 0u) { continue; }
      let cols = atomicLoad(&sCols[j]);
      let ty0 = firstTrailingBit(rows); let ty1 = firstLeadingBit(rows);
      let tx0 = firstTrailingBit(cols); let tx1 = firstLeadingBit(cols);
      let g = sIdx[j];
      let o = ${RASTER_GRAD_STRIDE}u * g;
      if (kind == 0u) {
        let m = sMean[j];
        let c = sConic[j];
        var sA = 0.0; var sB = 0.0; var sC = 0.0; var su = 0.0; var sv = 0.0;
        var au = 0.0; var av = 0.0; var so = 0.0;
        for (var t = ty0 * TS + tx0; t <= ty1 * TS + tx1; t++) {
          if (t % TS < tx0 || t % TS > tx1) { continue; }
          let vo = sO[j * NT + t];
          if (vo == 0.0) { continue; }
          let vq = -0.5 * m.z * vo;
          let dx = x0 + f32(t % TS) - m.x;
          let dy = y0 + f32(t / TS) - m.y;
          sA += vq * dx * dx;
          sB += 2.0 * vq * dx * dy;
          sC += vq * dy * dy;
          let vu = -2.0 * vq * (c.x * dx + c.y * dy);
          let vv = -2.0 * vq * (c.y * dx + c.z * dy);
          su += vu; sv += vv; au += abs(vu); av += abs(vv);
          so += vo;
        }
        atomicAddF(o, sA); atomicAddF(o + 1u, sB); atomicAddF(o + 2u, sC);
        atomicAddF(o + 3u, su); atomicAddF(o + 4u, sv);
        atomicAddF(o + 5u, au); atomicAddF(o + 6u, av);
        atomicAddF(o + 7u, so);
      } else if (kind >= 2u) {
        // feature channels c0 .. c0 + FG - 1 (FG / 4 vec4 sums per walk over the box)
        let c0 = FG * (kind - 2u);
        ${Array.from({ length: FGV }, (_, q) => `var sum${q} = vec4f(0.0);`).join(' ')}
        for (var t = ty0 * TS + tx0; t <= ty1 * TS + tx1; t++) {
          if (t % TS < tx0 || t % TS > tx1) { continue; }
          let w = sW[j * NT + t];
          if (w != 0.0) {
            let pp = (wid.y * TS + t / TS) * W + wid.x * TS + t % TS;
            let fo = 3u * np + F * pp + c0;
            ${Array.from({ length: FGV }, (_, q) =>
              F % 4 === 0
                ? `if (c0 + ${4 * q}u < F) { sum${q} += w * vec4f(vOut[fo + ${4 * q}u], vOut[fo + ${4 * q + 1}u], vOut[fo + ${4 * q + 2}u], vOut[fo + ${4 * q + 3}u]); }`
                : `for (var i = 0u; i < 4u; i++) { if (c0 + ${4 * q}u + i < F) { sum${q}[i] += w * vOut[fo + ${4 * q}u + i]; } }`,
            ).join('\n            ')}
          }
        }
        let dst = ${RASTER_GRAD_STRIDE}u * P.cfg.x + g * F + c0;
        ${Array.from({ length: FGV }, (_, q) => `for (var i = 0u; i < 4u; i++) {
          if (c0 + ${4 * q}u + i < F && sum${q}[i] != 0.0) { atomicAddF(dst + ${4 * q}u + i, sum${q}[i]); }
        }`).join('\n        ')}
      } else {
        // r, g, b and depth in one walk over the box (one sW read per pixel for the four sums)
        var sum = vec4f(0.0);
        for (var t = ty0 * TS + tx0; t <= ty1 * TS + tx1; t++) {
          if (t % TS < tx0 || t % TS > tx1) { continue; }
          let w = sW[j * NT + t];
          if (w != 0.0) {
            let pp = (wid.y * TS + t / TS) * W + wid.x * TS + t % TS;
            sum += w * vec4f(vOut[3u * pp], vOut[3u * pp + 1u], vOut[3u * pp + 2u], vOut[(4u + F) * np + pp]);
          }
        }
        for (var i = 0u; i < 4u; i++) {
          if (sum[i] != 0.0) { atomicAddF(o + 8u + i, sum[i]); }
        }
      }
    }`}
  }
}`;
};


/**
 * The barrier-free backward for CPU implementations of WebGPU (needs \`subgroups\` of at least
 * 4 lanes, as SwiftShader's; else the tiled kernel runs): each invocation walks the list back to front for R
 * pixels of one column (as the direct forward), taking the splats from subgroup batches
 * (directBatchWgsl). Per splat the R pixels' gradient terms are summed in registers, then
 * reduced across the subgroup and transposed at once: in each group of G = 8 (4 on 4-lane
 * subgroups) of the 12 + F components, three (two) butterfly steps (\`subgroupShuffleXor\` by 4,
 * 2, 1, each lane passing on the half it does not keep) leave lane l with the subgroup total of
 * component l, 7 shuffles per 8 components instead of a full reduction per component (llvmpipe, 100k Gaussians at 512x512:
 * backward 470 -> 391 ms with 3 channels, 1484 -> 1233 ms with 3+32). Lanes 0..G-1 then flush
 * their component with one float atomic (CAS loop) each. Splats that no pixel of the subgroup
 * uses skip all of it (a subgroup-uniform branch).
 */
export const rasterizeBackwardDirectWgsl = (ts: number, F: number, R: number, G: 4 | 8) => (): string => {
  const rows = Array.from({ length: R }, (_, r) => r);
  const each = (f: (r: number) => string): string => rows.map(f).join('\n');
  const NC = 12 + F;
  const fv = featureWgsl.vecs(F);
  // The splat's 12 + F sums as vec4s, component c = 4 v + i, in groups of G components (G lanes).
  const vecs = ['geo0', 'geo1', 'cz', ...Array.from({ length: fv }, (_, q) => `sf${q}`)];
  const per = G / 4;
  const groups = Math.ceil(vecs.length / per);
  const transposedFlush = `${G === 8 ? 'let b2 = (lane & 4u) != 0u; ' : ''}let b1 = (lane & 2u) != 0u; let b0 = (lane & 1u) != 0u;
      ${Array.from({ length: groups }, (_, gi) => {
        const lo = vecs[per * gi];
        const hi = vecs[per * gi + 1] ?? 'vec4f(0.0)';
        const h = G === 8 ? `select(${lo}, ${hi}, b2) + subgroupShuffleXor(select(${hi}, ${lo}, b2), 4u)` : lo;
        return `{
        let h = ${h};
        let q = select(h.xy, h.zw, b1) + subgroupShuffleXor(select(h.zw, h.xy, b1), 2u);
        var v = select(q.x, q.y, b0) + subgroupShuffleXor(select(q.y, q.x, b0), 1u);
        for (var s = ${G}u; s < sgSize; s <<= 1u) { v += subgroupShuffleXor(v, s); }
        let ci = ${G * gi}u + lane;
        if (lane < ${G}u && ci < NC && v != 0.0) {
          atomicAddF(select(${RASTER_GRAD_STRIDE}u * n + g * F + ci - 12u, ${RASTER_GRAD_STRIDE}u * g + ci, ci < 12u), v);
        }
      }`;
      }).join('\n      ')}`;
  return /* wgsl */ `enable subgroups;
diagnostic(off, subgroup_uniformity);
${paramsWgsl(Math.max(1, Math.ceil(F / 4)))}
${RASTER_CONSTANTS_WGSL}
${REACHES_WGSL}
const TS: u32 = ${ts}u;
const R: u32 = ${R}u;
const F: u32 = ${F}u;
const NC: u32 = ${NC}u;
${listBindingsWgsl(F)}
@group(0) @binding(5) var<storage, read> aux: array<u32>;
@group(0) @binding(6) var<storage, read> vOut: array<f32>;
@group(0) @binding(7) var<storage, read_write> grads: array<atomic<u32>>;
${atomicAddFWgsl('grads')}

@compute @workgroup_size(${ts}, ${ts / R})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) sgSize: u32) {
  let W = P.size.x; let H = P.size.y; let np = W * H;
  let tile = wid.y * P.size.z + wid.x;
  let px = wid.x * TS + lid.x;
  let py0 = wid.y * TS + lid.y * R;
  let x = f32(px) + 0.5;
  let exact = !smoothCutoff();
  // The smooth cut-off mode: no alpha clamp or threshold; every q passes the bound.
  let aMax = select(3.0e38, MAX_ALPHA, exact);
  let aMin = select(-1.0, ALPHA_THRESHOLD, exact);
  let range = ranges[tile];
  let n = P.cfg.x;
  ${blockWgsl(true)}
  var maxLast = 0u;
  ${each((r) => `var T${r} = 1.0; var last${r} = 0u;
  var vRgb${r} = vec3f(0.0); var vAl${r} = 0.0; var vZ${r} = 0.0;
  ${featureWgsl.declare(F, `vF${r}_`)}
  var accRgb${r} = P.bg.xyz; var accA${r} = 0.0; var accZ${r} = 0.0; var accVF${r} = 0.0;
  if (px < W && py0 + ${r}u < H) {
    let p = (py0 + ${r}u) * W + px;
    T${r} = bitcast<f32>(aux[2u * np + p]);
    last${r} = aux[3u * np + p];
    vRgb${r} = vec3f(vOut[3u * p], vOut[3u * p + 1u], vOut[3u * p + 2u]);
    vAl${r} = vOut[(3u + F) * np + p];
    vZ${r} = vOut[(4u + F) * np + p];
    ${F > 0 ? `let vfo = 3u * np + F * p;
    ${featureWgsl.each(F, (k) => `vF${r}_${k} = ${featureWgsl.load(F, 'vOut', 'vfo', k, true)};`)}
    ${featureWgsl.each(F, (k) => `accVF${r} += dot(vF${r}_${k}, P.fbg[${k}]);`)}` : ''}
    maxLast = max(maxLast, last${r});
  }`)}
  // Features enter dL/dalpha only through vF . (f_i - A_i) (see the tiled kernel): accVF is
  // the running vF . A_i.
  // Walks the list back to front in batches of SB slots (directBatchWgsl), slot e - 1 by slot.
  let L = subgroupMax(maxLast);
  let SB = min(sgSize, 32u);
  for (var e0 = L; e0 > 0u; e0 -= min(e0, SB)) {
    ${directBatchWgsl(F, 'lane < SB && lane < e0', 'range.x + e0 - 1u - lane', `let e = e0 - j;
    var geo0 = vec4f(0.0); // A, B, C, u
    var geo1 = vec4f(0.0); // v, |u|, |v|, o'
    var cz = vec4f(0.0);   // r, g, b, z
    ${featureWgsl.declare(F, 'sf')}
    var any = false;
    ${each((r) => `{
      let dy = f32(py0 + ${r}u) + 0.5 - m.y;
      let q = c.x * dx * dx + 2.0 * c.y * dx * dy + c.z * dy * dy;
      // exp only where the pixel used the splat's slot and the ellipse bound keeps it.
      if (e <= last${r} && q <= c.w) {
        // Straight-line under one branch: a splat the pixel skipped (alpha below the
        // threshold) enters with a = 0, which leaves T and the running sums unchanged.
        let gs = exp(-0.5 * q);
        let raw = m.z * gs;
        let alpha = min(aMax, raw);
        let used = alpha >= aMin;
        any = any || used;
        let a = select(0.0, alpha, used);
        T${r} = T${r} / (1.0 - a);
        let w = a * T${r};
        var va = dot(vRgb${r}, col - accRgb${r}) + vAl${r} * (1.0 - accA${r}) + vZ${r} * (m.w - accZ${r});
        accRgb${r} = col * a + (1.0 - a) * accRgb${r};
        accA${r} = a + (1.0 - a) * accA${r};
        accZ${r} = m.w * a + (1.0 - a) * accZ${r};
        ${F > 0 ? `var vf = 0.0;
        ${featureWgsl.each(F, (q) => `vf += dot(vF${r}_${q}, f${q});`)}
        va += vf - accVF${r};
        accVF${r} = vf * a + (1.0 - a) * accVF${r};
        ${featureWgsl.each(F, (q) => `sf${q} += w * vF${r}_${q};`)}` : ''}
        cz += w * vec4f(vRgb${r}, vZ${r});
        // The clamped alpha (raw > MAX_ALPHA) has no gradient in opacity or position.
        let vo = select(0.0, va * T${r} * gs, used && raw <= aMax);
        let vq = -0.5 * m.z * vo;
        let vu = -2.0 * vq * (c.x * dx + c.y * dy);
        let vv = -2.0 * vq * (c.y * dx + c.z * dy);
        geo0 += vec4f(vq * dx * dx, 2.0 * vq * dx * dy, vq * dy * dy, vu);
        geo1 += vec4f(vv, abs(vu), abs(vv), vo);
      }
    }`)}
    if (subgroupAny(any)) {
      ${transposedFlush}
    }
`)}
  }
}`;
};

/**
 * \`sg\`: the view-matrix terms are summed per subgroup (\`subgroupAdd\`) and one lane adds the
 * totals to its workgroup's slot with float atomics (\`viewPartials\` zeroed before), without
 * workgroup memory or barriers. On llvmpipe a shader with a barrier runs its SIMD groups as
 * coroutines, which made the whole kernel slower (100k Gaussians: 45 -> 26 ms). Without, one
 * barrier and a row sum of workgroup memory.
 */
const projectBackwardWgsl = (sg: boolean) => (): string => /* wgsl */ `${sg ? 'enable subgroups;\n' : ''}
${paramsWgsl()}
${WGSL_LINEAR_GROUP}
${SCENE_BINDINGS_WGSL}
@group(0) @binding(6) var<storage, read> rg: array<f32>;
@group(0) @binding(7) var<storage, read_write> gradOut: array<f32>;
${sg ? `@group(0) @binding(8) var<storage, read_write> viewPartials: array<atomic<u32>>;
${atomicAddFWgsl('viewPartials')}` : `@group(0) @binding(8) var<storage, read_write> viewPartials: array<f32>;
var<workgroup> sView: array<f32, ${15 * PROJECT_BWD_WG}>;`}
${PROJECT_WGSL}
const WG: u32 = ${PROJECT_BWD_WG}u;

fn outer(a: vec3f, b: vec3f) -> mat3x3f { return mat3x3f(a * b.x, a * b.y, a * b.z); }

@compute @workgroup_size(${PROJECT_BWD_WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) t: u32) {
  let n = P.cfg.x;
  let cs = P.cfg2.y;
  let wg = linearGroup(wid, nwg);
  let i = wg * WG + t;
  var vR = mat3x3f(vec3f(0.0), vec3f(0.0), vec3f(0.0));
  var vT = vec3f(0.0);
  var vCam = vec3f(0.0);
  if (i < n) {
    let base = ${RASTER_GRAD_STRIDE}u * i;
    let oM2d = (11u + cs) * n;
    gradOut[oM2d + 2u * i] = rg[base + 3u];
    gradOut[oM2d + 2u * i + 1u] = rg[base + 4u];
    gradOut[oM2d + 2u * n + 2u * i] = rg[base + 5u];
    gradOut[oM2d + 2u * n + 2u * i + 1u] = rg[base + 6u];
    var vMean = vec3f(0.0);
    var vQuat = vec4f(0.0);
    var vScale = vec3f(0.0);
    var vOpac = 0.0;
    let p = projectGaussian(i);
    if (p.visible) {
      let x = p.pc.x; let y = p.pc.y; let z = p.pc.z;
      let fx = P.focal.x; let fy = P.focal.y;
      let gConic = vec3f(rg[base], rg[base + 1u], rg[base + 2u]);
      let gMean2d = vec2f(rg[base + 3u], rg[base + 4u]);
      let gO = rg[base + 7u];
      let gRgb = vec3f(rg[base + 8u], rg[base + 9u], rg[base + 10u]);
      var vP = vec3f(0.0, 0.0, rg[base + 11u]);

      vOpac = gO * p.comp;
      let vComp = gO * opacities[i];
      // conic = inverse(Sigma'): dL/dSigma' = -K G K.
      let A = p.conic.x; let B = p.conic.y; let C = p.conic.z;
      let G0 = gConic.x; let G1 = 0.5 * gConic.y; let G2 = gConic.z;
      let KG00 = A * G0 + B * G1; let KG01 = A * G1 + B * G2;
      let KG10 = B * G0 + C * G1; let KG11 = B * G1 + C * G2;
      var vS00 = -(KG00 * A + KG01 * B);
      var vS01 = -(KG00 * B + KG01 * C);
      var vS11 = -(KG10 * B + KG11 * C);
      if (antialiased() && p.comp > 0.0) {
        let a = p.cov2d.x; let b = p.cov2d.y; let c = p.cov2d.z;
        let det0 = a * c - b * b;
        let s = 0.5 * vComp * p.comp;
        vS00 += s * (c / det0 - A);
        vS11 += s * (a / det0 - C);
        vS01 += s * (-b / det0 - B);
      }
      let z2 = z * z;
      vP.x += gMean2d.x * fx / z;
      vP.y += gMean2d.y * fy / z;
      vP.z += -gMean2d.x * fx * x / z2 - gMean2d.y * fy * y / z2;

      // Sigma_2d = J Sigma_c J^T.
      let G2J0 = vS00 * p.j0 + vS01 * p.j1;
      let G2J1 = vS01 * p.j0 + vS11 * p.j1;
      let vSigmaCam = outer(p.j0, G2J0) + outer(p.j1, G2J1);
      let vJ0 = 2.0 * (p.sigmaCam * G2J0);
      let vJ1 = 2.0 * (p.sigmaCam * G2J1);
      vP.z += (-fx / z2) * vJ0.x + (-fy / z2) * vJ1.y + (fx * p.ux / z2) * vJ0.z + (fy * p.uy / z2) * vJ1.z;
      let vUx = (-fx / z) * vJ0.z;
      let vUy = (-fy / z) * vJ1.z;
      if (p.xInside) { vP.x += vUx / z; vP.z += -vUx * x / z2; }
      if (p.yInside) { vP.y += vUy / z; vP.z += -vUy * y / z2; }

      // Sigma_c = R Sigma R^T.
      let Rv = viewR();
      let vSigma = transpose(Rv) * vSigmaCam * Rv;
      vR += 2.0 * (vSigmaCam * Rv * p.sigma);
      // Sigma = M M^T, M = R(q) diag(s).
      let M = mat3x3f(p.rq[0] * p.scale.x, p.rq[1] * p.scale.y, p.rq[2] * p.scale.z);
      let vM = 2.0 * (vSigma * M);
      let vRq = mat3x3f(vM[0] * p.scale.x, vM[1] * p.scale.y, vM[2] * p.scale.z);
      vScale = vec3f(dot(vM[0], p.rq[0]), dot(vM[1], p.rq[1]), dot(vM[2], p.rq[2]));
      // dL/dq of the rotation (row-major v[r * 3 + c] = vRq[c][r]).
      let v0 = vRq[0][0]; let v1 = vRq[1][0]; let v2 = vRq[2][0];
      let v3 = vRq[0][1]; let v4 = vRq[1][1]; let v5 = vRq[2][1];
      let v6 = vRq[0][2]; let v7 = vRq[1][2]; let v8 = vRq[2][2];
      let qw = p.qn.x; let qx = p.qn.y; let qy = p.qn.z; let qz = p.qn.w;
      let vqn = 2.0 * vec4f(
        -qz * v1 + qy * v2 + qz * v3 - qx * v5 - qy * v6 + qx * v7,
        qy * v1 + qz * v2 + qy * v3 - 2.0 * qx * v4 - qw * v5 + qz * v6 + qw * v7 - 2.0 * qx * v8,
        -2.0 * qy * v0 + qx * v1 + qw * v2 + qx * v3 + qz * v5 - qw * v6 + qz * v7 - 2.0 * qy * v8,
        -2.0 * qz * v0 - qw * v1 + qx * v2 + qw * v3 - 2.0 * qz * v4 + qy * v5 + qx * v6 + qy * v7);
      vQuat = (vqn - p.qn * dot(p.qn, vqn)) / p.qnorm;

      // p_c = R m + t.
      vMean = transpose(Rv) * vP;
      vR += outer(vP, p.mean);
      vT += vP;

      // Colour.
      let vRgb = select(gRgb, vec3f(0.0), p.rgbClamped);
      let oCol = 11u * n + cs * i;
      let deg1 = P.cfg.y;
      if (deg1 == 0u) {
        gradOut[oCol] = vRgb.x;
        gradOut[oCol + 1u] = vRgb.y;
        gradOut[oCol + 2u] = vRgb.z;
      } else {
        let deg = deg1 - 1u;
        let basis = shBasis(deg, p.dir);
        var vBasis: array<f32, 16>;
        for (var k = 0u; k < deg1 * deg1; k++) {
          let coef = vec3f(colors[cs * i + 3u * k], colors[cs * i + 3u * k + 1u], colors[cs * i + 3u * k + 2u]);
          vBasis[k] = dot(coef, vRgb);
          gradOut[oCol + 3u * k] = basis[k] * vRgb.x;
          gradOut[oCol + 3u * k + 1u] = basis[k] * vRgb.y;
          gradOut[oCol + 3u * k + 2u] = basis[k] * vRgb.z;
        }
        let vDir = shBasisVjp(deg, p.dir, vBasis);
        let vd = (vDir - p.dir * dot(vDir, p.dir)) / p.dirLen;
        vMean += vd;
        vCam -= vd;
      }
    } else {
      for (var k = 0u; k < cs; k++) { gradOut[11u * n + cs * i + k] = 0.0; }
    }
    gradOut[3u * i] = vMean.x; gradOut[3u * i + 1u] = vMean.y; gradOut[3u * i + 2u] = vMean.z;
    gradOut[3u * n + 4u * i] = vQuat.x; gradOut[3u * n + 4u * i + 1u] = vQuat.y;
    gradOut[3u * n + 4u * i + 2u] = vQuat.z; gradOut[3u * n + 4u * i + 3u] = vQuat.w;
    gradOut[7u * n + 3u * i] = vScale.x; gradOut[7u * n + 3u * i + 1u] = vScale.y; gradOut[7u * n + 3u * i + 2u] = vScale.z;
    gradOut[10u * n + i] = vOpac;
  }
  // View-matrix terms: 9 of dL/dR (column-major), 3 of dL/dt, 3 of dL/d(camera centre).
  ${sg ? `let sR0 = subgroupAdd(vR[0]); let sR1 = subgroupAdd(vR[1]); let sR2 = subgroupAdd(vR[2]);
  let sT = subgroupAdd(vT); let sCam = subgroupAdd(vCam);
  if (subgroupElect()) {
    let o = wg * 16u;
    for (var c = 0u; c < 3u; c++) {
      atomicAddF(o + c, sR0[c]); atomicAddF(o + 3u + c, sR1[c]); atomicAddF(o + 6u + c, sR2[c]);
      atomicAddF(o + 9u + c, sT[c]); atomicAddF(o + 12u + c, sCam[c]);
    }
  }` : `for (var c = 0u; c < 3u; c++) {
    for (var r = 0u; r < 3u; r++) { sView[(c * 3u + r) * WG + t] = vR[c][r]; }
    sView[(9u + c) * WG + t] = vT[c];
    sView[(12u + c) * WG + t] = vCam[c];
  }
  // One barrier, then invocation k < 15 sums row k (a tree of log2(WG) barriers measured 4x
  // slower on llvmpipe, where a barrier switches between all of the workgroup's SIMD groups).
  workgroupBarrier();
  if (t < 15u) {
    var s = 0.0;
    for (var u = 0u; u < WG; u++) { s += sView[t * WG + u]; }
    viewPartials[wg * 16u + t] = s;
  }`}
}`;

const viewReduceWgsl = (): string => /* wgsl */ `
${paramsWgsl()}
struct U { groups: u32, offset: u32 }
@group(0) @binding(1) var<uniform> u: U;
@group(0) @binding(2) var<storage, read> viewPartials: array<f32>;
@group(0) @binding(3) var<storage, read_write> gradOut: array<f32>;
var<workgroup> sums: array<f32, 16>;
@compute @workgroup_size(16)
fn main(@builtin(local_invocation_index) t: u32) {
  var s = 0.0;
  if (t < 15u) { for (var g = 0u; g < u.groups; g++) { s += viewPartials[g * 16u + t]; } }
  sums[t] = s;
  workgroupBarrier();
  if (t != 0u) { return; }
  var vR = mat3x3f(vec3f(sums[0], sums[1], sums[2]), vec3f(sums[3], sums[4], sums[5]), vec3f(sums[6], sums[7], sums[8]));
  var vT = vec3f(sums[9], sums[10], sums[11]);
  let vCam = vec3f(sums[12], sums[13], sums[14]);
  // camera centre c = -R^{-1} t: dL/dR -= (R^{-T} g) c^T, dL/dt -= R^{-T} g.
  let w = transpose(viewRinv()) * vCam;
  let cp = P.camPos.xyz;
  vR -= mat3x3f(w * cp.x, w * cp.y, w * cp.z);
  vT -= w;
  let o = u.offset;
  for (var c = 0u; c < 3u; c++) {
    for (var r = 0u; r < 3u; r++) { gradOut[o + c * 4u + r] = vR[c][r]; }
    gradOut[o + c * 4u + 3u] = 0.0;
    gradOut[o + 12u + c] = vT[c];
  }
  gradOut[o + 15u] = 0.0;
}`;

export function gradOutLayout(n: number, colorStride: number) {
  const colors = 11 * n;
  const means2d = colors + colorStride * n;
  return {
    means: 0,
    quats: 3 * n,
    scales: 7 * n,
    opacities: 10 * n,
    colors,
    means2d,
    means2dAbs: means2d + 2 * n,
    viewMatrix: means2d + 4 * n,
    total: means2d + 4 * n + 16,
  };
}

export interface RasterBackwardBuffers {
  params: GPUBuffer;
  ranges: GPUBuffer;
  pairVals: GPUBuffer;
  splats: GPUBuffer;
  features?: GPUBuffer;
  aux: GPUBuffer;
  vOut: GPUBuffer;
  grads: GPUBuffer;
}

/**
 * Pixels per invocation of the direct backward, on subgroups of 8 or more lanes: 16 without
 * feature channels (blocks of 8 x 16 pixels), 8 up to 32 channels; else as the forward
 * (directRows: 4 rows on SwiftShader's 4-lane subgroups up to 32 channels). Each splat a
 * subgroup uses costs one float atomic per gradient component (12 + F) at the flush and one
 * read of its 12 + F values, so taller blocks, fewer of both. llvmpipe, 100k Gaussians at 512x512:
 * - 3 ch: backward 336 -> 311 ms with the flush of 4 of the 12 components left out; 16 rows
 *   instead of 8: 340 -> 306 ms, cold compile of the kernel 5.7 -> 9.5 s;
 * - 3+32 ch: 8 rows instead of 4: 1206 -> 900 ms (first measured), 850 -> 637 ms (kernel A/B,
 *   min of 6, with gpuWait); the price is LLVM's compile: a first backward of 37 s with Mesa's
 *   shader cache off (14-18 s with 4 rows), once per machine (Mesa caches it on disk).
 * The forward has no flush: 16 rows measured the same as 8 there.
 */
export function directBackwardRows(F: number, tileSize: number, minLanes: number): number {
  if (minLanes < 8) return directRows(F, tileSize);
  return Math.min(F === 0 ? 16 : F <= 32 ? 8 : directRows(F, tileSize), tileSize);
}

export function encodeRasterizeBackward(
  frame: Frame,
  pass: GPUComputePassEncoder,
  b: RasterBackwardBuffers,
  cfg: { tileSize: number; featureDim: number; tilesX: number; tilesY: number; naive?: boolean; direct?: boolean },
): void {
  const { tileSize: ts, featureDim: F } = cfg;
  const naive = cfg.naive === true;
  const minLanes = minSubgroupLanes(frame.ctx.device);
  const R = cfg.direct ? directBackwardRows(F, ts, minLanes) : 0;
  if (R && !naive && minLanes >= 4) {
    const G = minLanes >= 8 ? 8 : 4;
    const pl = frame.ctx.pipeline(`rasterize-bwd-direct-ts${ts}-f${F}-r${R}-g${G}`, rasterizeBackwardDirectWgsl(ts, F, R, G));
    pass.setPipeline(pl);
    pass.setBindGroup(0, frame.bind(pl, [b.params, b.ranges, b.pairVals, b.splats, F > 0 ? b.features : undefined, b.aux, b.vOut, b.grads]));
    pass.dispatchWorkgroups(cfg.tilesX, cfg.tilesY);
    return;
  }
  const bb = backwardBatch(ts, frame.ctx.limits.maxComputeWorkgroupStorageSize);
  const pl = frame.ctx.pipeline(`rasterize-bwd-ts${ts}-f${F}-bb${bb}${naive ? '-naive' : ''}`, rasterizeBackwardWgsl(ts, F, naive, bb));
  pass.setPipeline(pl);
  pass.setBindGroup(
    0,
    frame.bind(pl, [b.params, b.ranges, b.pairVals, b.splats, F > 0 ? b.features : undefined, b.aux, b.vOut, b.grads]),
  );
  pass.dispatchWorkgroups(cfg.tilesX, cfg.tilesY);
}

/** Records the projection backward in its own compute pass ('project-backward'). */
export function encodeProjectBackward(
  frame: Frame,
  enc: GPUCommandEncoder,
  b: {
    n: number;
    colorStride: number;
    params: GPUBuffer;
    means: GPUBuffer;
    quats: GPUBuffer;
    scales: GPUBuffer;
    opacities: GPUBuffer;
    colors: GPUBuffer;
    grads: GPUBuffer;
    gradOut: GPUBuffer;
  },
): void {
  const groups = Math.max(1, Math.ceil(b.n / PROJECT_BWD_WG));
  const partials = frame.temp(groups * 16 * 4, 'view-partials');
  const sg = minSubgroupLanes(frame.ctx.device) > 0;
  // The subgroup variant adds into the partials with atomics.
  if (sg) enc.clearBuffer(partials, 0, groups * 16 * 4);
  const pass = enc.beginComputePass({ label: 'project-backward' });
  const pl = frame.ctx.pipeline(sg ? 'project-bwd-sg' : 'project-bwd', projectBackwardWgsl(sg));
  frame.dispatch(pass, pl, [b.params, b.means, b.quats, b.scales, b.opacities, b.colors, b.grads, b.gradOut, partials], groups);
  const red = frame.ctx.pipeline('view-reduce', viewReduceWgsl);
  const u = frame.uniform(new Uint32Array([groups, gradOutLayout(b.n, b.colorStride).viewMatrix, 0, 0]));
  pass.setPipeline(red);
  pass.setBindGroup(0, frame.bind(red, [b.params, u, partials, b.gradOut]));
  pass.dispatchWorkgroups(1);
  pass.end();
}
