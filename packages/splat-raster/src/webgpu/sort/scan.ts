/**
 * In-place exclusive prefix sum of u32 on the GPU (reduce-then-scan, recursive over
 * blocks). Used by the radix sort (digit histograms) and the tile binning (intersection
 * offsets). Two block-level scans, same results:
 * - with `subgroups` of at least 4 lanes: one subgroup per block of 512 x SG values, walking
 *   it in rounds of SG with a three-step (two on 4 lanes) `subgroupShuffleUp` scan and a
 *   running carry. No workgroup memory or barriers: on llvmpipe a barrier switches between all
 *   the workgroup's SIMD groups (100k Gaussians at 512x512, the tile counts and their scan:
 *   16 -> 5 ms);
 * - elsewhere a Hillis-Steele scan of blocks of 1024 in workgroup memory.
 *
 * @see Blelloch, "Prefix sums and their applications" (1990).
 *
 * API
 * - `encodeExclusiveScan(frame, pass, data, n) -> { buffer, index }`
 *     scans data[0..n) in place and returns where the total sum is stored (u32 index).
 */

import { type Frame, minSubgroupLanes, WGSL_LINEAR_GROUP } from '../gpu-context.js';

const WG = 256;
const PER_THREAD = 4;
const SCAN_BLOCK = WG * PER_THREAD;
/** WGSL: the scan kernels' bindings: the values scanned in place and the per-block sums. */
const scanBindings = (sums: 'read' | 'read_write'): string => `${WGSL_LINEAR_GROUP}
struct P { n: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;
@group(0) @binding(2) var<storage, ${sums}> blockSums: array<u32>;`;

/**
 * WGSL statements declaring \`var <name>\` = the sum of \`value\` over lanes 0..lane of a subgroup
 * of \`lanes\` (4 or 8) lanes, in log2(lanes) \`subgroupShuffleUp\` shift-and-add steps (on
 * llvmpipe a shuffle is one vector permute; \`subgroupInclusiveAdd\` is a loop over the lanes).
 * \`zero\`: the zero of \`value\`'s type. Needs \`lane\` (subgroup_invocation_id).
 */
export function shuffleInclusiveSumWgsl(name: string, value: string, zero: string, lanes: number): string {
  const steps = Array.from({ length: Math.log2(lanes) }, (_, k) => `${name} += select(${zero}, subgroupShuffleUp(${name}, ${1 << k}u), lane >= ${1 << k}u);`);
  return [`var ${name} = ${value};`, ...steps].join('\n    ');
}

/** Rounds of the subgroup scan per block. */
const SG_ROUNDS = 512;

// One workgroup of SG invocations (a single subgroup) per block of SG_ROUNDS x SG values.
const scanSubgroupWgsl = (sg: number) => (): string => /* wgsl */ `
enable subgroups;
diagnostic(off, subgroup_uniformity);
${scanBindings('read_write')}

@compute @workgroup_size(${sg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let block = linearGroup(wid, nwg);
  let first = block * ${SG_ROUNDS * sg}u;
  if (first >= p.n) { return; }
  var carry = 0u;
  for (var r = 0u; r < ${SG_ROUNDS}u; r++) {
    let i0 = first + r * ${sg}u;
    if (i0 >= p.n) { break; }
    let i = i0 + lane;
    var x = 0u;
    if (i < p.n) { x = data[i]; }
    ${shuffleInclusiveSumWgsl('inc', 'x', '0u', sg)}
    if (i < p.n) { data[i] = carry + inc - x; }
    carry += subgroupBroadcast(inc, ${sg - 1}u);
  }
  if (lane == 0u) { blockSums[block] = carry; }
}`;

const scanLocalWgsl = (): string => /* wgsl */ `
${scanBindings('read_write')}
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

// Adds blockSums[b] to the values of block b (blocks of `block` values, WG invocations each).
const scanAddWgsl = (block: number) => (): string => /* wgsl */ `
${scanBindings('read')}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) t: u32) {
  let b = linearGroup(wid, nwg);
  if (b * ${block}u >= p.n) { return; }
  let add = blockSums[b];
  for (var k = 0u; k < ${block / WG}u; k++) {
    let i = b * ${block}u + k * ${WG}u + t;
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
  const lanes = minSubgroupLanes(ctx.device);
  const sg = lanes >= 8 ? 8 : lanes >= 4 ? 4 : 0;
  const block = sg ? SG_ROUNDS * sg : SCAN_BLOCK;
  const local = sg ? ctx.pipeline(`scan-local-sg${sg}`, scanSubgroupWgsl(sg)) : ctx.pipeline('scan-local', scanLocalWgsl);
  const add = ctx.pipeline(`scan-add-${block}`, scanAddWgsl(block));
  const blocks = Math.ceil(Math.max(1, n) / block);
  const sums = frame.temp(blocks * 4, 'scan-block-sums');
  const params = frame.uniform(new Uint32Array([n, 0, 0, 0]));
  frame.dispatch(pass, local, [params, data, sums], blocks);
  if (blocks === 1) return { buffer: sums, index: 0 };
  const total = encodeExclusiveScan(frame, pass, sums, blocks);
  frame.dispatch(pass, add, [params, data, sums], blocks);
  return total;
}
