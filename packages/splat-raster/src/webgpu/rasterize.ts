/**
 * Forward rasterization: one workgroup per tile (tileSize x tileSize invocations, one per
 * pixel), front-to-back alpha compositing of the tile's depth-sorted splat list
 * (3DGS `renderCUDA`; maths as ../cpu/rasterize.ts):
 *   alpha = min(0.99, o' exp(-q/2)), skipped when < 1/255; stop (without the splat) when
 *   T (1 - alpha) < 1e-4; out += c alpha T; T *= 1 - alpha; out += T background.
 * Two kernels (rasterizer option `kernels`): the tiled one walks the list in batches of
 * tileSize^2 splats that the workgroup loads cooperatively into workgroup memory and stops
 * once all the tile's pixels are done; the direct one (`rasterizeDirectWgsl`) has no
 * workgroup memory and renders up to 8 pixels per invocation (`directRows`). Both write the same outputs.
 *
 * Outputs: rgb (H, W, 3), features (H, W, F), and `aux` (u32 words, planar):
 *   [alpha = 1 - T_final (P) | depth (P) | T_final (P) | last (P)]
 * where `last` is the number of list entries up to and including the last contributing
 * splat (the backward walks entries [0, last) back to front).
 *
 * API
 * - `encodeRasterize(frame, pass, buffers)`
 */

import { MAX_ALPHA, TRANSMITTANCE_EPS } from '../cpu/rasterize.js';
import type { Frame } from './gpu-context.js';
import { paramsWgsl } from './params.js';
import { ALPHA_THRESHOLD } from '../cpu/project.js';

/**
 * Pixels (rows of one column) per invocation of the direct kernels: 8 up to 4 feature
 * channels, 4 up to 32, 1 above. More rows share each splat's loads (llvmpipe, 100k
 * Gaussians, 512x512, A/B on a loaded machine: 4 rows 1.8-2.2x faster than 1, 8 rows another
 * 1.1-1.4x) but LLVM compiles the unrolled rows slowly: first forward + backward with
 * Mesa's shader cache off, 32 channels: 1.5 + 7.2 s with 1 row, 2.7 + 12.6 s with 4, 5.7 +
 * 21.5 s with 8 (the tiled kernels: 1.9 + 10.2 s); 3 channels with 8 rows: 1.8 + 7.4 s.
 */
export function directRows(featureDim: number, tileSize: number): number {
  return Math.min(featureDim <= 4 ? 8 : featureDim <= 32 ? 4 : 1, tileSize);
}

/**
 * WGSL: whether the splat's ellipse q <= qmax (mean m.xy, conic c.xyz, qmax c.w) reaches the
 * box [lo, hi] of pixel centres: first its bounding box, half extents sqrt(qmax (C, A) / det);
 * then the ellipse itself: the least q over the box (0 when the mean is inside, else the least
 * of its four edges, each the minimum of a convex quadratic clamped to the edge) against qmax.
 * Both widened (1e-4 relative + 1e-3 px; 1e-3 relative + 1e-3 on q) so that rounding never culls
 * a pixel the per-pixel test keeps. Degenerate conics and the smooth mode's infinite bound
 * never cull. (100k Gaussians at 512x512: 17% of the splats the bounding box keeps for an 8x8
 * block have no pixel of it inside their ellipse.)
 */
export const REACHES_WGSL = /* wgsl */ `
fn edgeQ(c: vec4f, u: f32, lo: f32, hi: f32, a: f32, b: f32) -> f32 {
  // q along an edge at offset u on one axis (coefficient a of u^2), the other offset clamped to [lo, hi].
  let t = clamp(-c.y * u / b, lo, hi);
  return a * u * u + 2.0 * c.y * u * t + b * t * t;
}
fn reaches(m: vec4f, c: vec4f, lo: vec2f, hi: vec2f) -> bool {
  let det = c.x * c.z - c.y * c.y;
  let e = sqrt(max(c.w, 0.0) * vec2f(c.z, c.x) / det) * 1.0001 + 1e-3;
  if (!(det > 0.0) || !(all(e < vec2f(1e30)))) { return true; }
  if (!(all(m.xy + e >= lo) && all(m.xy - e <= hi))) { return false; }
  let d0 = lo - m.xy;
  let d1 = hi - m.xy;
  let q = min(min(edgeQ(c, d0.x, d0.y, d1.y, c.x, c.z), edgeQ(c, d1.x, d0.y, d1.y, c.x, c.z)),
              min(edgeQ(c, d0.y, d0.x, d1.x, c.z, c.x), edgeQ(c, d1.y, d0.x, d1.x, c.z, c.x)));
  let inside = all(d0 <= vec2f(0.0)) && all(d1 >= vec2f(0.0));
  return inside || q <= c.w * 1.001 + 1e-3;
}
`;

export const SKIP_BOUND_WGSL = /* wgsl */ `
// Pixels whose Mahalanobis term q exceeds this skip the splat without evaluating exp:
// o exp(-q/2) >= 1/255 needs q <= 2 ln(255 o); the bound carries a margin (x1.001 + 1e-3)
// so that rounding never skips a pixel the exact alpha test would keep. Infinite in the
// smooth cut-off mode (no pixel is skipped there).
fn skipBound(o: f32) -> f32 {
  if (smoothCutoff()) { return 3.0e38; }
  if (!(o * 255.0 >= 0.99)) { return -1.0; }
  return 2.0 * log(max(255.0 * o, 1.0)) * 1.001 + 1e-3;
}
`;

export const RASTER_CONSTANTS_WGSL = /* wgsl */ `
const ALPHA_THRESHOLD: f32 = ${ALPHA_THRESHOLD};
const MAX_ALPHA: f32 = ${MAX_ALPHA};
const TRANSMITTANCE_EPS: f32 = ${TRANSMITTANCE_EPS};
${SKIP_BOUND_WGSL}
`;


/**
 * WGSL for the F feature channels, unrolled at pipeline creation into ceil(F / 4) vec4
 * registers `<name>0, <name>1, ...` (a dynamically indexed per-invocation array lives in
 * memory on llvmpipe and SwiftShader: every access becomes a per-lane gather or scatter).
 */
export const featureWgsl = {
  /** Number of vec4 registers. */
  vecs: (F: number): number => Math.ceil(F / 4),
  /** `var <name>k = vec4f(0.0);` for every register. */
  declare(F: number, name: string): string {
    return Array.from({ length: Math.ceil(F / 4) }, (_, k) => `var ${name}${k} = vec4f(0.0);`).join(' ');
  },
  /** WGSL element type of feature arrays: vec4f when F is a multiple of 4 (4x fewer loads and stores), else f32. */
  elem: (F: number): string => (F % 4 === 0 ? 'vec4f' : 'f32'),
  /**
   * vec4f of channels 4k..4k+3 of `arr` from float index `base` (zero past F); `base` must
   * be a multiple of F (with vec4 arrays it is divided by 4). `f32Array`: `arr` is an
   * array<f32> whatever F (scalar loads).
   */
  load(F: number, arr: string, base: string, k: number, f32Array = false): string {
    if (F % 4 === 0 && !f32Array) return `${arr}[${base} / 4u + ${k}u]`;
    const c = [0, 1, 2, 3].map((i) => (4 * k + i < F ? `${arr}[${base} + ${4 * k + i}u]` : '0.0'));
    return `vec4f(${c.join(', ')})`;
  },
  /** One statement per register: `<stmt(k, load_k)>`. */
  each(F: number, stmt: (k: number) => string): string {
    return Array.from({ length: Math.ceil(F / 4) }, (_, k) => stmt(k)).join('\n');
  },
  /** Scalar stores `arr[base + c] = <value(k)>[i]` for every channel c = 4k + i < F. */
  store(F: number, arr: string, base: string, value: (k: number) => string): string {
    const out: string[] = [];
    if (F % 4 === 0) {
      for (let k = 0; k < F / 4; k++) out.push(`${arr}[${base} / 4u + ${k}u] = ${value(k)};`);
      return out.join('\n');
    }
    for (let k = 0; k < Math.ceil(F / 4); k++) {
      const v = `fv${k}`;
      out.push(`let ${v} = ${value(k)};`);
      for (let i = 0; i < 4 && 4 * k + i < F; i++) out.push(`${arr}[${base} + ${4 * k + i}u] = ${v}[${i}];`);
    }
    return out.join('\n');
  },
};

/**
 * Bindings 1-4 of the rasterize kernels (forward and backward): the tiles' list ranges, the
 * tile-sorted pair values (Gaussian indices), the projected splats, the F feature channels.
 */
export function listBindingsWgsl(F: number): string {
  return `@group(0) @binding(1) var<storage, read> ranges: array<vec2u>;
@group(0) @binding(2) var<storage, read> pairVals: array<u32>;
@group(0) @binding(3) var<storage, read> splats: array<vec4f>;
${F > 0 ? `@group(0) @binding(4) var<storage, read> features: array<${featureWgsl.elem(F)}>;` : ''}`;
}

const rasterizeWgsl = (ts: number, F: number) => (): string => {
  const B = ts * ts;
  return /* wgsl */ `
${paramsWgsl(Math.max(1, Math.ceil(F / 4)))}
${RASTER_CONSTANTS_WGSL}
const TS: u32 = ${ts}u;
const B: u32 = ${B}u;
const F: u32 = ${F}u;
${listBindingsWgsl(F)}
@group(0) @binding(5) var<storage, read_write> rgbOut: array<f32>;
${F > 0 ? `@group(0) @binding(6) var<storage, read_write> featOut: array<${featureWgsl.elem(F)}>;` : ''}
@group(0) @binding(7) var<storage, read_write> aux: array<u32>;

var<workgroup> sMean: array<vec4f, B>;   // u, v, o', z
var<workgroup> sConic: array<vec4f, B>;  // A, B, C, skip bound on q
var<workgroup> sRgb: array<vec4f, B>;
var<workgroup> sIdx: array<u32, B>;
var<workgroup> nDone: atomic<u32>;
var<workgroup> nDoneNow: u32;

@compute @workgroup_size(${ts}, ${ts})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let W = P.size.x; let H = P.size.y;
  let tile = wid.y * P.size.z + wid.x;
  let px = wid.x * TS + lid.x;
  let py = wid.y * TS + lid.y;
  let inside = px < W && py < H;
  let pix = vec2f(f32(px) + 0.5, f32(py) + 0.5);
  let smoothMode = smoothCutoff();
  let range = ranges[tile];
  var T = 1.0;
  var rgb = vec3f(0.0);
  var depth = 0.0;
  var last = 0u;
  ${featureWgsl.declare(F, 'feat')}
  let total = range.y - range.x;
  if (total == 0u) {
    // Empty tile (uniform across the workgroup): background only, no barriers.
    if (inside) {
      let p = py * W + px;
      let np = W * H;
      rgbOut[3u * p] = P.bg.x;
      rgbOut[3u * p + 1u] = P.bg.y;
      rgbOut[3u * p + 2u] = P.bg.z;
      ${F > 0 ? 'let fo = F * p;' : ''}
      ${featureWgsl.store(F, 'featOut', 'fo', (k) => `P.fbg[${k}]`)}
      aux[p] = 0u;
      aux[np + p] = 0u;
      aux[2u * np + p] = bitcast<u32>(1.0);
      aux[3u * np + p] = 0u;
    }
    return;
  }
  var done = !inside;
  if (li == 0u) { atomicStore(&nDone, 0u); }
  workgroupBarrier();
  if (done) { atomicAdd(&nDone, 1u); }
  let batches = (total + B - 1u) / B;
  for (var b = 0u; b < batches; b++) {
    workgroupBarrier();
    if (li == 0u) { nDoneNow = atomicLoad(&nDone); }
    if (workgroupUniformLoad(&nDoneNow) >= B) { break; }
    let k = range.x + b * B + li;
    if (k < range.y) {
      let g = pairVals[k];
      sIdx[li] = g;
      let mean = splats[3u * g];
      sMean[li] = mean;
      sConic[li] = vec4f(splats[3u * g + 1u].xyz, skipBound(mean.z));
      sRgb[li] = splats[3u * g + 2u];
    }
    workgroupBarrier();
    if (!done) {
      let cnt = min(B, total - b * B);
      for (var j = 0u; j < cnt; j++) {
        let m = sMean[j];
        let c = sConic[j];
        let d = pix - m.xy;
        let q = c.x * d.x * d.x + 2.0 * c.y * d.x * d.y + c.z * d.y * d.y;
        if (q > c.w) { continue; }
        var alpha = m.z * exp(-0.5 * q);
        var nextT = T * (1.0 - alpha);
        if (!smoothMode) {
          alpha = min(MAX_ALPHA, alpha);
          if (alpha < ALPHA_THRESHOLD) { continue; }
          nextT = T * (1.0 - alpha);
          if (nextT < TRANSMITTANCE_EPS) { done = true; break; }
        }
        let w = alpha * T;
        rgb += w * sRgb[j].xyz;
        depth += w * m.w;
        ${F > 0 ? 'let fb = sIdx[j] * F;' : ''}
        ${featureWgsl.each(F, (k) => `feat${k} += w * ${featureWgsl.load(F, 'features', 'fb', k)};`)}
        T = nextT;
        last = b * B + j + 1u;
      }
      if (done) { atomicAdd(&nDone, 1u); }
    }
  }
  if (!inside) { return; }
  let p = py * W + px;
  let np = W * H;
  let outRgb = rgb + T * P.bg.xyz;
  rgbOut[3u * p] = outRgb.x;
  rgbOut[3u * p + 1u] = outRgb.y;
  rgbOut[3u * p + 2u] = outRgb.z;
  ${F > 0 ? 'let fo = F * p;' : ''}
  ${featureWgsl.store(F, 'featOut', 'fo', (k) => `feat${k} + T * P.fbg[${k}]`)}
  aux[p] = bitcast<u32>(1.0 - T);
  aux[np + p] = bitcast<u32>(depth);
  aux[2u * np + p] = bitcast<u32>(T);
  aux[3u * np + p] = last;
}`;
};

/**
 * The barrier-free variant for CPU implementations of WebGPU: every invocation walks the
 * tile's list itself for R pixels of one column (rows R lid.y .. R lid.y + R - 1). With
 * `subgroups` the splats come in subgroup batches (directBatchWgsl: one lane loads each, the
 * subgroup culls them against its block of pixels with one ballot); without, each invocation
 * reads each splat from storage at a list index that is the same for all invocations and skips
 * the splats whose ellipse misses the tile.
 * Why (llvmpipe, measured with microbenchmarks): reading splats from storage at a shared
 * index was 1.4-1.8x faster than staging them in workgroup memory, whose loads inside a loop
 * are per-lane loops (8 lanes x 12 floats per splat in the shared-memory kernel); an
 * if-block that no lane of an 8-lane SIMD group enters is skipped, so the block cull saves
 * the splat's colour and feature loads and all per-pixel work; R pixels per invocation share
 * the splat's loads; without barriers every SIMD group stops as soon as its own pixels are done.
 */
/**
 * WGSL (inside a direct kernel's main, after px, py0, R, TS, wid): \`blockLo\`, \`blockHi\`, the
 * first and last pixel centres of the invocation's subgroup (with \`subgroups\`) or tile.
 */
export function blockWgsl(subgroups: boolean): string {
  return subgroups
    ? `let blockLo = vec2f(f32(subgroupMin(px)), f32(subgroupMin(py0))) + 0.5;
  let blockHi = vec2f(f32(subgroupMax(px)), f32(subgroupMax(py0 + R - 1u))) + 0.5;`
    : `let blockLo = vec2f(f32(wid.x * TS), f32(wid.y * TS)) + 0.5;
  let blockHi = blockLo + f32(TS - 1u);`;
}

/**
 * WGSL of the direct kernels' loop body head, for list slot \`k\`: the splat \`g\`, its mean
 * and opacity \`m\`, conic and bound \`c\`, \`continue\` when it misses the block, then its
 * colour \`col\`, feature vec4s \`f<q>\` and the column offset \`dx\` (after \`x\`).
 */
export function directSplatWgsl(F: number): string {
  return `let g = pairVals[k];
    let m = splats[3u * g];
    let c = splats[3u * g + 1u];
    if (!reaches(m, c, blockLo, blockHi)) { continue; }
    let col = splats[3u * g + 2u].xyz;
    ${F > 0 ? 'let fb = g * F;' : ''}
    ${featureWgsl.each(F, (q) => `let f${q} = ${featureWgsl.load(F, 'features', 'fb', q)};`)}
    let dx = x - m.x;`;
}

/**
 * WGSL of the direct kernels' subgroup batch (with \`subgroups\`; after \`lane\`, \`sgSize\`,
 * \`blockLo\`, \`blockHi\`): the lanes load the splats of up to min(sgSize, 32) consecutive list
 * slots, lane i the slot \`slot\` (valid when \`valid\`), one slot each, and cull them against the
 * subgroup's block; then \`body\` runs once per kept slot in lane order, with \`j\` the lane
 * that loaded it and the splat's \`g\`, \`m\`, \`c\`, \`col\`, \`f<q>\`, \`dx\` (as
 * directSplatWgsl) taken from that lane by subgroup shuffles.
 * Why: on llvmpipe every storage load is a loop over the SIMD lanes, even at an address that
 * is the same in every lane, so a list walked splat by splat loads each splat once per
 * lane; here each lane loads a different splat.
 */
export function directBatchWgsl(F: number, valid: string, slot: string, body: string): string {
  return `var gL = 0u; var mL = vec4f(0.0); var cL = vec4f(0.0); var colL = vec4f(0.0);
    ${featureWgsl.declare(F, 'fL')}
    var hit = false;
    if (${valid}) {
      gL = pairVals[${slot}];
      mL = splats[3u * gL];
      cL = splats[3u * gL + 1u];
      hit = reaches(mL, cL, blockLo, blockHi);
      if (hit) {
        colL = splats[3u * gL + 2u];
        ${F > 0 ? 'let fb = gL * F;' : ''}
        ${featureWgsl.each(F, (q) => `fL${q} = ${featureWgsl.load(F, 'features', 'fb', q)};`)}
      }
    }
    var mask = subgroupBallot(hit).x;
    while (mask != 0u) {
      let j = firstTrailingBit(mask);
      mask &= mask - 1u;
      let g = subgroupShuffle(gL, j);
      let m = subgroupShuffle(mL, j);
      let c = subgroupShuffle(cL, j);
      let col = subgroupShuffle(colL, j).xyz;
      ${featureWgsl.each(F, (q) => `let f${q} = subgroupShuffle(fL${q}, j);`)}
      let dx = x - m.x;
      ${body}
    }`;
}

export const rasterizeDirectWgsl = (ts: number, F: number, R: number, subgroups: boolean) => (): string => {
  const rows = Array.from({ length: R }, (_, r) => r);
  const each = (f: (r: number) => string): string => rows.map(f).join('\n');
  const allDone = rows.map((r) => `done${r}`).join(' && ');
  const rowsBody = `    let n = k - range.x + 1u;
    ${each((r) => `{
      let dy = f32(py0 + ${r}u) + 0.5 - m.y;
      let q = c.x * dx * dx + 2.0 * c.y * dx * dy + c.z * dy * dy;
      // exp only where the ellipse bound keeps the pixel (a SIMD group whose rows all miss skips it).
      if (!done${r} && (q <= c.w || !exact)) {
      var alpha = m.z * exp(-0.5 * q);
      var used = true;
      if (exact) {
        alpha = min(MAX_ALPHA, alpha);
        used = alpha >= ALPHA_THRESHOLD;
        if (used && T${r} * (1.0 - alpha) < TRANSMITTANCE_EPS) { done${r} = true; used = false; }
      }
      if (used) {
        let w = alpha * T${r};
        rgb${r} += w * col;
        depth${r} += w * m.w;
        ${featureWgsl.each(F, (q) => `feat${r}_${q} += w * f${q};`)}
        T${r} *= 1.0 - alpha;
        last${r} = n;
      }
      }
    }`)}
`;
  return /* wgsl */ `${subgroups ? 'enable subgroups;\ndiagnostic(off, subgroup_uniformity);' : ''}
${paramsWgsl(Math.max(1, Math.ceil(F / 4)))}
${RASTER_CONSTANTS_WGSL}
${REACHES_WGSL}
const TS: u32 = ${ts}u;
const R: u32 = ${R}u;
const F: u32 = ${F}u;
${listBindingsWgsl(F)}
@group(0) @binding(5) var<storage, read_write> rgbOut: array<f32>;
${F > 0 ? `@group(0) @binding(6) var<storage, read_write> featOut: array<${featureWgsl.elem(F)}>;` : ''}
@group(0) @binding(7) var<storage, read_write> aux: array<u32>;

@compute @workgroup_size(${ts}, ${ts / R})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u${subgroups ? `,
        @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) sgSize: u32` : ''}) {
  let W = P.size.x; let H = P.size.y;
  let tile = wid.y * P.size.z + wid.x;
  let px = wid.x * TS + lid.x;
  let py0 = wid.y * TS + lid.y * R;
  let x = f32(px) + 0.5;
  let exact = !smoothCutoff();
  let range = ranges[tile];
  ${blockWgsl(subgroups)}
  ${each((r) => `var T${r} = 1.0; var rgb${r} = vec3f(0.0); var depth${r} = 0.0; var last${r} = 0u;
  var done${r} = px >= W || py0 + ${r}u >= H;
  ${featureWgsl.declare(F, `feat${r}_`)}`)}
  ${subgroups ? `let SB = min(sgSize, 32u);
  for (var k0 = range.x; k0 < range.y; k0 += SB) {
    // The whole subgroup stops together: a lane that left early would drop out of the batch.
    if (subgroupAll(${allDone})) { break; }
    ${directBatchWgsl(F, 'lane < SB && k0 + lane < range.y', 'k0 + lane', `let k = k0 + j;
${rowsBody}`)}
  }` : `for (var k = range.x; k < range.y; k++) {
    if (${allDone}) { break; }
    ${directSplatWgsl(F)}
${rowsBody}
  }`}
  let np = W * H;
  ${each((r) => `if (px < W && py0 + ${r}u < H) {
    let p = (py0 + ${r}u) * W + px;
    let outRgb = rgb${r} + T${r} * P.bg.xyz;
    rgbOut[3u * p] = outRgb.x;
    rgbOut[3u * p + 1u] = outRgb.y;
    rgbOut[3u * p + 2u] = outRgb.z;
    ${F > 0 ? 'let fo = F * p;' : ''}
    ${featureWgsl.store(F, 'featOut', 'fo', (q) => `feat${r}_${q} + T${r} * P.fbg[${q}]`)}
    aux[p] = bitcast<u32>(1.0 - T${r});
    aux[np + p] = bitcast<u32>(depth${r});
    aux[2u * np + p] = bitcast<u32>(T${r});
    aux[3u * np + p] = last${r};
  }`)}
}`;
};

export interface RasterizeBuffers {
  params: GPUBuffer;
  ranges: GPUBuffer;
  pairVals: GPUBuffer;
  splats: GPUBuffer;
  features?: GPUBuffer;
  rgb: GPUBuffer;
  featOut?: GPUBuffer;
  aux: GPUBuffer;
}

export function encodeRasterize(
  frame: Frame,
  pass: GPUComputePassEncoder,
  b: RasterizeBuffers,
  cfg: { tileSize: number; featureDim: number; tilesX: number; tilesY: number; direct?: boolean },
): void {
  const { tileSize: ts, featureDim: F } = cfg;
  const R = cfg.direct ? directRows(F, ts) : 0;
  const sg = frame.ctx.device.features.has('subgroups');
  const pl = R ? frame.ctx.pipeline(`rasterize-direct-ts${ts}-f${F}-r${R}${sg ? '-sg' : ''}`, rasterizeDirectWgsl(ts, F, R, sg)) : frame.ctx.pipeline(`rasterize-ts${ts}-f${F}`, rasterizeWgsl(ts, F));
  pass.setPipeline(pl);
  pass.setBindGroup(0, frame.bind(pl, [b.params, b.ranges, b.pairVals, b.splats, F > 0 ? b.features : undefined, b.rgb, F > 0 ? b.featOut : undefined, b.aux]));
  pass.dispatchWorkgroups(cfg.tilesX, cfg.tilesY);
}
