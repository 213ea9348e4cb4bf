/**
 * Deterministic reductions from pixels to vertices, without float atomics:
 * 1. `rects`  (per pixel)  the pixel rectangle each face covers in `triId`, with u32
 *                          atomicMin / atomicMax (order-independent);
 * 2. a per-face kernel (interpolate / rasterize backward) loops over its rectangle in
 *    row-major order and writes per-corner sums `faceGrad[(3 f + k) C + c]`;
 * 3. `gather` (per vertex, channel) sums the corners of each vertex in ascending
 *    (face, corner) order from a host-built CSR list.
 * Every sum has a fixed order, so the gradients are bitwise reproducible.
 */

import { type GpuContext, LINEAR_ID, groups64 } from './context.js';

const RECTS = /* wgsl */ `${LINEAR_ID}
struct Params { width: u32, height: u32, nf: u32, channels: u32 };
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> triId: array<i32>;
@group(0) @binding(2) var<storage, read_write> rects: array<atomic<u32>>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let p = linearId(gid);
  if (p >= params.width * params.height) { return; }
  let f = triId[p];
  if (f < 0) { return; }
  let x = p % params.width;
  let y = p / params.width;
  atomicMin(&rects[4u * u32(f)], x);
  atomicMin(&rects[4u * u32(f) + 1u], y);
  atomicMax(&rects[4u * u32(f) + 2u], x);
  atomicMax(&rects[4u * u32(f) + 3u], y);
}`;

const GATHER = /* wgsl */ `${LINEAR_ID}
struct Params { nv: u32, channels: u32, pad0: u32, pad1: u32 };
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> offsets: array<u32>;
@group(0) @binding(2) var<storage, read> corners: array<u32>;
@group(0) @binding(3) var<storage, read> faceGrad: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = linearId(gid);
  if (i >= params.nv * params.channels) { return; }
  let v = i / params.channels;
  let c = i % params.channels;
  var s = 0.0;
  for (var k = offsets[v]; k < offsets[v + 1u]; k++) { s += faceGrad[corners[k] * params.channels + c]; }
  out[i] = s;
}`;

export function params4(a: number, b: number, c: number, d: number): ArrayBuffer {
  return Uint32Array.of(a, b, c, d).buffer;
}

/** Per-face covered rectangles (F, 4) = (xmin, ymin, xmax, ymax); empty when xmin > xmax. */
export function encodeRects(gpu: GpuContext, enc: GPUCommandEncoder, triId: GPUBuffer, width: number, height: number, F: number, temps: GPUBuffer[]): GPUBuffer {
  const init = new Uint32Array(4 * F);
  for (let f = 0; f < F; f++) init.set([0xffffffff, 0xffffffff, 0, 0], 4 * f);
  const rects = gpu.storage(init);
  const u = gpu.uniform(params4(width, height, F, 0));
  temps.push(rects, u);
  gpu.dispatch(enc, gpu.pipeline('rects', RECTS), [u, triId, rects], groups64(width * height));
  return rects;
}

/** CSR lists of the corners (3 f + k) of each vertex, ascending. */
export function vertexCorners(faces: ArrayLike<number>, V: number): { offsets: Uint32Array; corners: Uint32Array } {
  const offsets = new Uint32Array(V + 1);
  for (let i = 0; i < faces.length; i++) offsets[faces[i] + 1]++;
  for (let v = 0; v < V; v++) offsets[v + 1] += offsets[v];
  const cursor = offsets.slice(0, V);
  const corners = new Uint32Array(faces.length);
  for (let i = 0; i < faces.length; i++) corners[cursor[faces[i]]++] = i;
  return { offsets, corners };
}

/** (V, C) sums of per-corner values `faceGrad` ((F, 3, C)). */
export function encodeGather(gpu: GpuContext, enc: GPUCommandEncoder, faces: ArrayLike<number>, V: number, C: number, faceGrad: GPUBuffer, temps: GPUBuffer[]): GPUBuffer {
  const { offsets, corners } = vertexCorners(faces, V);
  const ob = gpu.storage(offsets);
  const cb = gpu.storage(corners);
  const u = gpu.uniform(params4(V, C, 0, 0));
  const out = gpu.storage(4 * V * C);
  temps.push(ob, cb, u);
  gpu.dispatch(enc, gpu.pipeline('gather', GATHER), [u, ob, cb, faceGrad, out], groups64(V * C));
  return out;
}
