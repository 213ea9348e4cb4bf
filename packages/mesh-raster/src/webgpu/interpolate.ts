/**
 * WebGPU attribute interpolation (forward) and its backward: dL/du, dL/dv per pixel and
 * dL/dattributes through the deterministic face -> vertex reduction of gather.ts.
 * Formulas as the CPU reference (cpu/interpolate.ts).
 */

import { type GpuContext, LINEAR_ID, groups64 } from './context.js';
import { encodeGather, encodeRects, params4 } from './gather.js';

const HEAD = /* wgsl */ `${LINEAR_ID}
struct Params { width: u32, height: u32, nf: u32, channels: u32 };
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> faces: array<u32>;
@group(0) @binding(2) var<storage, read> triId: array<i32>;
@group(0) @binding(3) var<storage, read> bary: array<f32>;`;

const FORWARD = /* wgsl */ `${HEAD}
@group(0) @binding(4) var<storage, read> attr: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let p = linearId(gid);
  let C = params.channels;
  if (p >= params.width * params.height) { return; }
  let f = triId[p];
  if (f < 0) {
    for (var c = 0u; c < C; c++) { out[p * C + c] = 0.0; }
    return;
  }
  let u = bary[2u * p];
  let v = bary[2u * p + 1u];
  let w = 1.0 - u - v;
  let o0 = faces[3u * u32(f)] * C;
  let o1 = faces[3u * u32(f) + 1u] * C;
  let o2 = faces[3u * u32(f) + 2u] * C;
  for (var c = 0u; c < C; c++) { out[p * C + c] = u * attr[o0 + c] + v * attr[o1 + c] + w * attr[o2 + c]; }
}`;

const BACKWARD_BARY = /* wgsl */ `${HEAD}
@group(0) @binding(4) var<storage, read> attr: array<f32>;
@group(0) @binding(5) var<storage, read> gradOut: array<f32>;
@group(0) @binding(6) var<storage, read_write> gBary: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let p = linearId(gid);
  let C = params.channels;
  if (p >= params.width * params.height) { return; }
  _ = arrayLength(&bary);
  let f = triId[p];
  var gu = 0.0;
  var gv = 0.0;
  if (f >= 0) {
    let o0 = faces[3u * u32(f)] * C;
    let o1 = faces[3u * u32(f) + 1u] * C;
    let o2 = faces[3u * u32(f) + 2u] * C;
    for (var c = 0u; c < C; c++) {
      let g = gradOut[p * C + c];
      gu += g * (attr[o0 + c] - attr[o2 + c]);
      gv += g * (attr[o1 + c] - attr[o2 + c]);
    }
  }
  gBary[2u * p] = gu;
  gBary[2u * p + 1u] = gv;
}`;

const BACKWARD_FACES = /* wgsl */ `${HEAD}
@group(0) @binding(4) var<storage, read> rects: array<u32>;
@group(0) @binding(5) var<storage, read> gradOut: array<f32>;
@group(0) @binding(6) var<storage, read_write> faceGrad: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = linearId(gid);
  let C = params.channels;
  if (i >= params.nf * C) { return; }
  _ = arrayLength(&faces);
  let f = i / C;
  let c = i % C;
  var s = vec3f(0.0);
  for (var y = rects[4u * f + 1u]; y <= rects[4u * f + 3u]; y++) {
    for (var x = rects[4u * f]; x <= rects[4u * f + 2u]; x++) {
      let p = y * params.width + x;
      if (triId[p] != i32(f)) { continue; }
      let u = bary[2u * p];
      let v = bary[2u * p + 1u];
      s += vec3f(u, v, 1.0 - u - v) * gradOut[p * C + c];
    }
  }
  faceGrad[(3u * f) * C + c] = s.x;
  faceGrad[(3u * f + 1u) * C + c] = s.y;
  faceGrad[(3u * f + 2u) * C + c] = s.z;
}`;

export interface GpuRasterView {
  width: number;
  height: number;
  triId: GPUBuffer;
  bary: GPUBuffer;
}

export function encodeInterpolate(gpu: GpuContext, enc: GPUCommandEncoder, attr: GPUBuffer, C: number, faces: GPUBuffer, F: number, rast: GpuRasterView, temps: GPUBuffer[]): GPUBuffer {
  const P = rast.width * rast.height;
  const u = gpu.uniform(params4(rast.width, rast.height, F, C));
  const out = gpu.storage(4 * P * C);
  temps.push(u);
  gpu.dispatch(enc, gpu.pipeline('interp', FORWARD), [u, faces, rast.triId, rast.bary, attr, out], groups64(P));
  return out;
}

export function encodeInterpolateBackward(
  gpu: GpuContext,
  enc: GPUCommandEncoder,
  attr: GPUBuffer,
  C: number,
  faces: GPUBuffer,
  facesHost: ArrayLike<number>,
  V: number,
  rast: GpuRasterView,
  gradOut: GPUBuffer,
  temps: GPUBuffer[],
): { attributes: GPUBuffer; bary: GPUBuffer } {
  const F = facesHost.length / 3;
  const P = rast.width * rast.height;
  const u = gpu.uniform(params4(rast.width, rast.height, F, C));
  const gBary = gpu.storage(8 * P);
  const faceGrad = gpu.storage(4 * 3 * F * C);
  temps.push(u, faceGrad);
  gpu.dispatch(enc, gpu.pipeline('interp-bwd-bary', BACKWARD_BARY), [u, faces, rast.triId, rast.bary, attr, gradOut, gBary], groups64(P));
  const rects = encodeRects(gpu, enc, rast.triId, rast.width, rast.height, F, temps);
  gpu.dispatch(enc, gpu.pipeline('interp-bwd-faces', BACKWARD_FACES), [u, faces, rast.triId, rast.bary, rects, gradOut, faceGrad], groups64(F * C));
  return { attributes: encodeGather(gpu, enc, facesHost, V, C, faceGrad, temps), bary: gBary };
}
