/**
 * Tile binning on the GPU (3DGS "duplicateWithKeys" + "identifyTileRanges", in brush's
 * two-sort form: Gaussians are depth-sorted once, then their (tile, Gaussian) pairs are
 * emitted in depth order and stably sorted by tile id only, so that each tile's list is
 * front to back with ties broken by Gaussian index, as in ../cpu/tiles.ts).
 *
 * Kernels:
 * - `depthKeys`: key = float bits of camera depth z (z > near >= 0, so the bits order as
 *   the values) for rasterized Gaussians, 0xffffffff otherwise; value = Gaussian index.
 * - `tileCounts`: counts[k] = number of tiles of the k-th Gaussian in depth order.
 * - (exclusive scan of counts -> offsets; the total is read back to size the pairs.)
 * - `emitPairs`: writes (tile id, Gaussian index) pairs at each Gaussian's offset.
 * - `tileRanges`: ranges[tile] = [start, end) into the tile-sorted pairs.
 *
 * API
 * - `encodeDepthKeys`, `encodeTileCounts`, `encodeEmitPairs`, `encodeTileRanges`
 * - capacity mode (no CPU read of the count): `encodeTileRanges` with the GPU count,
 *   `encodeOverflowFallback`
 */

import { type Frame, WGSL_LINEAR_GROUP } from './gpu-context.js';

const WG = 256;

const depthKeysWgsl = (): string => /* wgsl */ `
${WGSL_LINEAR_GROUP}
struct P { n: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> splats: array<vec4f>;
@group(0) @binding(2) var<storage, read> rects: array<vec4u>;
@group(0) @binding(3) var<storage, read_write> keys: array<u32>;
@group(0) @binding(4) var<storage, read_write> vals: array<u32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let i = linearGroup(wid, nwg) * ${WG}u + t;
  if (i >= p.n) { return; }
  let r = rects[i];
  let visible = r.z > r.x && r.w > r.y;
  keys[i] = select(0xffffffffu, bitcast<u32>(splats[3u * i].w), visible);
  vals[i] = i;
}`;

const tileCountsWgsl = (): string => /* wgsl */ `
${WGSL_LINEAR_GROUP}
struct P { n: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> order: array<u32>;
@group(0) @binding(2) var<storage, read> rects: array<vec4u>;
@group(0) @binding(3) var<storage, read_write> counts: array<u32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let k = linearGroup(wid, nwg) * ${WG}u + t;
  if (k >= p.n) { return; }
  let r = rects[order[k]];
  counts[k] = select(0u, (r.z - r.x) * (r.w - r.y), r.z > r.x && r.w > r.y);
}`;

const emitPairsWgsl = (): string => /* wgsl */ `
${WGSL_LINEAR_GROUP}
struct P { n: u32, tilesX: u32, cap: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> order: array<u32>;
@group(0) @binding(2) var<storage, read> rects: array<vec4u>;
@group(0) @binding(3) var<storage, read> offsets: array<u32>;
@group(0) @binding(4) var<storage, read_write> pairKeys: array<u32>;
@group(0) @binding(5) var<storage, read_write> pairVals: array<u32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let k = linearGroup(wid, nwg) * ${WG}u + t;
  if (k >= p.n) { return; }
  let g = order[k];
  let r = rects[g];
  if (!(r.z > r.x && r.w > r.y)) { return; }
  let o = offsets[k];
  let w = r.z - r.x;
  // Capacity mode: pairs past the capacity are dropped (the overflow fallback takes over).
  let count = min(w * (r.w - r.y), max(p.cap, o) - o);
  // One flat loop over the rectangle's tiles (a nested loop costs llvmpipe a second loop mask).
  var tx = r.x;
  var ty = r.y;
  for (var j = 0u; j < count; j++) {
    pairKeys[o + j] = ty * p.tilesX + tx;
    pairVals[o + j] = g;
    tx++;
    if (tx == r.z) { tx = r.x; ty++; }
  }
}`;

// \`dyn\` (capacity mode): the sorted pairs are the first min(status[0], m) slots. Each
// invocation handles RANGES_PER keys, WG apart (llvmpipe, 520k keys: 1 per invocation 6.2 ms,
// 4 per invocation 3.8 ms for the same loads: the per-invocation set-up is amortised).
const RANGES_PER = 8;
const tileRangesWgsl = (dyn: boolean) => (): string => /* wgsl */ `
${WGSL_LINEAR_GROUP}
struct P { m: u32, numTiles: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> keys: array<u32>;
@group(0) @binding(2) var<storage, read_write> ranges: array<vec2u>;
${dyn ? '@group(0) @binding(3) var<storage, read> status: array<u32>;' : ''}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let m = ${dyn ? 'min(status[0], p.m)' : 'p.m'};
  let i0 = linearGroup(wid, nwg) * ${WG * RANGES_PER}u + t;
  for (var j = 0u; j < ${RANGES_PER}u; j++) {
    let i = i0 + j * ${WG}u;
    if (i >= m) { return; }
    let tile = keys[i];
    if (i == 0u || keys[i - 1u] != tile) { ranges[tile].x = i; }
    if (i + 1u == m || keys[i + 1u] != tile) { ranges[tile].y = i + 1u; }
  }
}`;

// Capacity mode, when the intersections exceeded the capacity: every tile walks the whole
// depth-sorted list (culled Gaussians carry zero opacity, and a Gaussian outside a tile's
// pixels falls under the 1/255 alpha threshold there, so the images equal the binned
// path's; only slower). Needs cap >= n.
const overflowFallbackWgsl = (): string => /* wgsl */ `
${WGSL_LINEAR_GROUP}
struct P { n: u32, numTiles: u32, cap: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> status: array<u32>;
@group(0) @binding(2) var<storage, read> order: array<u32>;
@group(0) @binding(3) var<storage, read_write> pairVals: array<u32>;
@group(0) @binding(4) var<storage, read_write> ranges: array<vec2u>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let i = linearGroup(wid, nwg) * ${WG}u + t;
  if (status[0] <= p.cap) { return; }
  if (i < p.n) { pairVals[i] = order[i]; }
  if (i < p.numTiles) { ranges[i] = vec2u(0u, p.n); }
}`;

export function encodeDepthKeys(
  frame: Frame,
  pass: GPUComputePassEncoder,
  b: { n: number; splats: GPUBuffer; rects: GPUBuffer; keys: GPUBuffer; vals: GPUBuffer },
): void {
  const pl = frame.ctx.pipeline('depth-keys', depthKeysWgsl);
  const u = frame.uniform(new Uint32Array([b.n, 0, 0, 0]));
  frame.dispatch(pass, pl, [u, b.splats, b.rects, b.keys, b.vals], Math.ceil(b.n / WG));
}

export function encodeTileCounts(
  frame: Frame,
  pass: GPUComputePassEncoder,
  b: { n: number; order: GPUBuffer; rects: GPUBuffer; counts: GPUBuffer },
): void {
  const pl = frame.ctx.pipeline('tile-counts', tileCountsWgsl);
  const u = frame.uniform(new Uint32Array([b.n, 0, 0, 0]));
  frame.dispatch(pass, pl, [u, b.order, b.rects, b.counts], Math.ceil(b.n / WG));
}

export function encodeEmitPairs(
  frame: Frame,
  pass: GPUComputePassEncoder,
  b: { n: number; tilesX: number; cap: number; order: GPUBuffer; rects: GPUBuffer; offsets: GPUBuffer; pairKeys: GPUBuffer; pairVals: GPUBuffer },
): void {
  const pl = frame.ctx.pipeline('emit-pairs', emitPairsWgsl);
  const u = frame.uniform(new Uint32Array([b.n, b.tilesX, b.cap, 0]));
  frame.dispatch(pass, pl, [u, b.order, b.rects, b.offsets, b.pairKeys, b.pairVals], Math.ceil(b.n / WG));
}

/**
 * `ranges` must be zeroed by the caller (tiles without pairs keep [0, 0)). With `status`
 * (capacity mode) only the first min(status[0], m) sorted pairs count.
 */
export function encodeTileRanges(
  frame: Frame,
  pass: GPUComputePassEncoder,
  b: { m: number; numTiles: number; keys: GPUBuffer; ranges: GPUBuffer; status?: GPUBuffer },
): void {
  const dyn = b.status !== undefined;
  const pl = frame.ctx.pipeline(dyn ? 'tile-ranges-dyn' : 'tile-ranges', tileRangesWgsl(dyn));
  const u = frame.uniform(new Uint32Array([b.m, b.numTiles, 0, 0]));
  frame.dispatch(pass, pl, [u, b.keys, b.ranges, b.status], Math.ceil(b.m / (WG * RANGES_PER)));
}

/** Capacity mode: when status[0] > cap, points every tile at the whole depth-sorted list (needs cap >= n). */
export function encodeOverflowFallback(
  frame: Frame,
  pass: GPUComputePassEncoder,
  b: { n: number; numTiles: number; cap: number; status: GPUBuffer; order: GPUBuffer; pairVals: GPUBuffer; ranges: GPUBuffer },
): void {
  const pl = frame.ctx.pipeline('overflow-fallback', overflowFallbackWgsl);
  const u = frame.uniform(new Uint32Array([b.n, b.numTiles, b.cap, 0]));
  frame.dispatch(pass, pl, [u, b.status, b.order, b.pairVals, b.ranges], Math.ceil(Math.max(b.n, b.numTiles) / WG));
}
