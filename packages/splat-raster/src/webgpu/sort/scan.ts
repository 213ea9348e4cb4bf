/**
 * In-place exclusive prefix sum of u32 on the GPU (reduce-then-scan, recursive over
 * blocks of 1024). Used by the radix sort (digit histograms) and the tile binning
 * (intersection offsets).
 *
 * @see Blelloch, "Prefix sums and their applications" (1990); the block-level scan is a
 *   Hillis-Steele scan in workgroup memory.
 *
 * API
 * - `encodeExclusiveScan(frame, pass, data, n) -> { buffer, index }`
 *     scans data[0..n) in place and returns where the total sum is stored (u32 index).
 */

import { type Frame, WGSL_LINEAR_GROUP } from '../gpu-context.js';

const WG = 256;
const PER_THREAD = 4;
export const SCAN_BLOCK = WG * PER_THREAD;

const scanLocalWgsl = (): string => /* wgsl */ `
${WGSL_LINEAR_GROUP}
struct P { n: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<storage, read_write> blockSums: array<u32>;
var<workgroup> sums: array<u32, ${WG}>;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) t: u32) {
  let block = linearGroup(wid, nwg);
  if (block * ${SCAN_BLOCK}u >= p.n) { return; }
  let base = block * ${SCAN_BLOCK}u + t * ${PER_THREAD}u;
  var v: array<u32, ${PER_THREAD}>;
  var s = 0u;
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    let i = base + k;
    var x = 0u;
    if (i < p.n) { x = data[i]; }
    v[k] = s;
    s += x;
  }
  sums[t] = s;
  for (var off = 1u; off < ${WG}u; off <<= 1u) {
    workgroupBarrier();
    var add = 0u;
    if (t >= off) { add = sums[t - off]; }
    workgroupBarrier();
    sums[t] += add;
  }
  workgroupBarrier();
  let prefix = sums[t] - s;
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    let i = base + k;
    if (i < p.n) { data[i] = v[k] + prefix; }
  }
  if (t == ${WG - 1}u) { blockSums[block] = sums[t]; }
}`;

const scanAddWgsl = (): string => /* wgsl */ `
${WGSL_LINEAR_GROUP}
struct P { n: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<storage, read> blockSums: array<u32>;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) t: u32) {
  let block = linearGroup(wid, nwg);
  if (block * ${SCAN_BLOCK}u >= p.n) { return; }
  let add = blockSums[block];
  let base = block * ${SCAN_BLOCK}u + t * ${PER_THREAD}u;
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    let i = base + k;
    if (i < p.n) { data[i] += add; }
  }
}`;

export interface ScanTotal {
  buffer: GPUBuffer;
  /** u32 index of the total in `buffer`. */
  index: number;
}

/** Records an in-place exclusive scan of `data[0..n)` (n >= 1) into `pass`. */
export function encodeExclusiveScan(frame: Frame, pass: GPUComputePassEncoder, data: GPUBuffer, n: number): ScanTotal {
  const ctx = frame.ctx;
  const local = ctx.pipeline('scan-local', scanLocalWgsl);
  const add = ctx.pipeline('scan-add', scanAddWgsl);
  const blocks = Math.ceil(Math.max(1, n) / SCAN_BLOCK);
  const sums = frame.temp(blocks * 4, 'scan-block-sums');
  const params = frame.uniform(new Uint32Array([n, 0, 0, 0]));
  frame.dispatch(pass, local, [params, data, sums], blocks);
  if (blocks === 1) return { buffer: sums, index: 0 };
  const total = encodeExclusiveScan(frame, pass, sums, blocks);
  frame.dispatch(pass, add, [params, data, sums], blocks);
  return total;
}
