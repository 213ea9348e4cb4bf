/**
 * WebGPU forward rasterizer: a compute rasterizer, deterministic by construction.
 *
 * Why compute and not a render pipeline: the CPU reference's coverage rule (inclusive
 * edges, pixel centres) and tie-breaking must be reproducible bit for bit on lavapipe and
 * SwiftShader, and WGSL has no 64-bit atomics to pack depth and id together. So:
 * 1. `project`   (per vertex)  camera space and pixel coordinates, once, in f32;
 * 2. `faces` pass 0 (per face) z-test: atomicMin of the depth's f32 bits into a u32 z-buffer
 *                             (positive floats order like their bit patterns);
 * 3. `faces` pass 1 (per face) the same loop, same code; faces whose depth bits equal the
 *                             winner's do atomicMin of their id: exact ties go to the lower id;
 * 4. `resolve`   (per pixel)   perspective-correct barycentrics of the winning face.
 * atomicMin is order-independent, so the result never depends on scheduling.
 */

import type { CameraInfo } from '../validate.js';
import { CAM_WGSL, packCamera } from './camera-uniform.js';
import { type GpuContext, LINEAR_ID, groups64 } from './context.js';

const PROJECT = /* wgsl */ `${CAM_WGSL}${LINEAR_ID}
@group(0) @binding(0) var<uniform> cam: Cam;
@group(0) @binding(1) var<storage, read> positions: array<f32>;
@group(0) @binding(2) var<storage, read_write> pc: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> scr: array<vec4f>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let v = linearId(gid);
  if (v >= cam.nv) { return; }
  let p = vec4f(positions[3u * v], positions[3u * v + 1u], positions[3u * v + 2u], 1.0);
  let c = vec3f(dot(cam.r0, p), dot(cam.r1, p), dot(cam.r2, p));
  pc[v] = vec4f(c, 0.0);
  scr[v] = vec4f(cam.fx * c.x / c.z + cam.cx, cam.fy * c.y / c.z + cam.cy, c.z, 0.0);
}`;

/** Screen-space barycentrics of pixel centre (px, py); shared by the face and resolve kernels. */
export const BARY_WGSL = /* wgsl */ `
fn screenBary(a: vec4f, b: vec4f, c: vec4f, area: f32, px: f32, py: f32) -> vec3f {
  let b0 = ((b.x - px) * (c.y - py) - (b.y - py) * (c.x - px)) / area;
  let b1 = ((c.x - px) * (a.y - py) - (c.y - py) * (a.x - px)) / area;
  let b2 = ((a.x - px) * (b.y - py) - (a.y - py) * (b.x - px)) / area;
  return vec3f(b0, b1, b2);
}
fn faceVisible(a: vec4f, b: vec4f, c: vec4f) -> bool {
  return a.z > cam.near && b.z > cam.near && c.z > cam.near && a.z <= cam.far && b.z <= cam.far && c.z <= cam.far;
}
fn faceArea(a: vec4f, b: vec4f, c: vec4f) -> f32 {
  return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}`;

const FACES = /* wgsl */ `${CAM_WGSL}${LINEAR_ID}
@group(0) @binding(0) var<uniform> cam: Cam;
@group(0) @binding(1) var<storage, read> faces: array<u32>;
@group(0) @binding(2) var<storage, read> scr: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> zbuf: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read_write> ids: array<atomic<u32>>;
${BARY_WGSL}
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let f = linearId(gid);
  if (f >= cam.nf) { return; }
  let a = scr[faces[3u * f]];
  let b = scr[faces[3u * f + 1u]];
  let c = scr[faces[3u * f + 2u]];
  if (!faceVisible(a, b, c)) { return; }
  let area = faceArea(a, b, c);
  if (area == 0.0) { return; }
  // f32 -> i32 conversion saturates in WGSL, so huge screen coordinates are safe.
  let xa = max(0, i32(ceil(min(a.x, min(b.x, c.x)) - 0.5)));
  let xb = min(i32(cam.width) - 1, i32(floor(max(a.x, max(b.x, c.x)) - 0.5)));
  let ya = max(0, i32(ceil(min(a.y, min(b.y, c.y)) - 0.5)));
  let yb = min(i32(cam.height) - 1, i32(floor(max(a.y, max(b.y, c.y)) - 0.5)));
  for (var y = ya; y <= yb; y++) {
    for (var x = xa; x <= xb; x++) {
      let w = screenBary(a, b, c, area, f32(x) + 0.5, f32(y) + 0.5);
      if (w.x < 0.0 || w.y < 0.0 || w.z < 0.0) { continue; }
      let z = 1.0 / (w.x / a.z + w.y / b.z + w.z / c.z);
      let bits = bitcast<u32>(z);
      let p = u32(y) * cam.width + u32(x);
      if (cam.pass_ == 0u) {
        atomicMin(&zbuf[p], bits);
      } else if (atomicLoad(&zbuf[p]) == bits) {
        atomicMin(&ids[p], f);
      }
    }
  }
}`;

const RESOLVE = /* wgsl */ `${CAM_WGSL}${LINEAR_ID}
@group(0) @binding(0) var<uniform> cam: Cam;
@group(0) @binding(1) var<storage, read> faces: array<u32>;
@group(0) @binding(2) var<storage, read> scr: array<vec4f>;
@group(0) @binding(3) var<storage, read> zbuf: array<u32>;
@group(0) @binding(4) var<storage, read> ids: array<u32>;
@group(0) @binding(5) var<storage, read_write> triId: array<i32>;
@group(0) @binding(6) var<storage, read_write> bary: array<f32>;
@group(0) @binding(7) var<storage, read_write> depth: array<f32>;
${BARY_WGSL}
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let p = linearId(gid);
  if (p >= cam.width * cam.height) { return; }
  let f = ids[p];
  if (f == 0xffffffffu) {
    triId[p] = -1; bary[2u * p] = 0.0; bary[2u * p + 1u] = 0.0; depth[p] = 0.0;
    return;
  }
  let a = scr[faces[3u * f]];
  let b = scr[faces[3u * f + 1u]];
  let c = scr[faces[3u * f + 2u]];
  let w = screenBary(a, b, c, faceArea(a, b, c), f32(p % cam.width) + 0.5, f32(p / cam.width) + 0.5);
  let q = vec3f(w.x / a.z, w.y / b.z, w.z / c.z);
  let z = bitcast<f32>(zbuf[p]);
  triId[p] = i32(f);
  bary[2u * p] = q.x * z;
  bary[2u * p + 1u] = q.y * z;
  depth[p] = z;
}`;

/** GPU buffers of one rasterisation (caller destroys them). */
export interface GpuRaster {
  triId: GPUBuffer;
  bary: GPUBuffer;
  depth: GPUBuffer;
  /** (V) camera-space positions (vec4, w = 0) and pixel coordinates (x, y, z, 0). */
  pc: GPUBuffer;
  scr: GPUBuffer;
}

/** Camera-space positions and pixel coordinates of every vertex (uniform `u` packs the camera). */
export function encodeProject(gpu: GpuContext, enc: GPUCommandEncoder, u: GPUBuffer, positions: GPUBuffer, V: number, pc: GPUBuffer, scr: GPUBuffer): void {
  gpu.dispatch(enc, gpu.pipeline('project', PROJECT), [u, positions, pc, scr], groups64(V));
}

export function encodeRasterize(gpu: GpuContext, enc: GPUCommandEncoder, positions: GPUBuffer, faces: GPUBuffer, V: number, F: number, cam: CameraInfo, temps: GPUBuffer[]): GpuRaster {
  const P = cam.width * cam.height;
  const u0 = gpu.uniform(packCamera(cam, V, F, 0));
  const u1 = gpu.uniform(packCamera(cam, V, F, 1));
  const pc = gpu.storage(16 * V);
  const scr = gpu.storage(16 * V);
  const init = new Uint32Array(P).fill(0xffffffff);
  const zbuf = gpu.storage(init);
  const ids = gpu.storage(init);
  const out: GpuRaster = { triId: gpu.storage(4 * P), bary: gpu.storage(8 * P), depth: gpu.storage(4 * P), pc, scr };
  encodeProject(gpu, enc, u0, positions, V, pc, scr);
  temps.push(u0, u1, zbuf, ids);
  const faceKernel = gpu.pipeline('faces', FACES);
  gpu.dispatch(enc, faceKernel, [u0, faces, scr, zbuf, ids], groups64(F));
  gpu.dispatch(enc, faceKernel, [u1, faces, scr, zbuf, ids], groups64(F));
  gpu.dispatch(enc, gpu.pipeline('resolve', RESOLVE), [u0, faces, scr, zbuf, ids, out.triId, out.bary, out.depth], groups64(P));
  return out;
}
