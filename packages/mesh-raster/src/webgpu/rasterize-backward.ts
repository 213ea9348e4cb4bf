/**
 * WebGPU backward of the rasterizer: d(bary, depth)/d positions with the closed form of
 * cpu/rasterize-backward.ts (dL/dP_k = -b_k M^{-T} g), summed per face over its covered
 * rectangle and per vertex by gather.ts (deterministic). Returns camera-space gradients;
 * the caller rotates them to world space (R^T).
 */

import type { CameraInfo } from '../validate.js';
import { CAM_WGSL, packCamera } from './camera-uniform.js';
import { type GpuContext, LINEAR_ID, groups64 } from './context.js';
import { encodeGather, encodeRects } from './gather.js';

const FACES = /* wgsl */ `${CAM_WGSL}${LINEAR_ID}
@group(0) @binding(0) var<uniform> cam: Cam;
@group(0) @binding(1) var<storage, read> faces: array<u32>;
@group(0) @binding(2) var<storage, read> pc: array<vec4f>;
@group(0) @binding(3) var<storage, read> triId: array<i32>;
@group(0) @binding(4) var<storage, read> bary: array<f32>;
@group(0) @binding(5) var<storage, read> rects: array<u32>;
@group(0) @binding(6) var<storage, read> gBary: array<f32>;
@group(0) @binding(7) var<storage, read> gDepth: array<f32>;
@group(0) @binding(8) var<storage, read_write> faceGrad: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let f = linearId(gid);
  if (f >= cam.nf) { return; }
  let p0 = pc[faces[3u * f]].xyz;
  let p1 = pc[faces[3u * f + 1u]].xyz;
  let p2 = pc[faces[3u * f + 2u]].xyz;
  let a = p0 - p2;
  let b = p1 - p2;
  var s0 = vec3f(0.0);
  var s1 = vec3f(0.0);
  var s2 = vec3f(0.0);
  for (var y = rects[4u * f + 1u]; y <= rects[4u * f + 3u]; y++) {
    for (var x = rects[4u * f]; x <= rects[4u * f + 2u]; x++) {
      let p = y * cam.width + x;
      if (triId[p] != i32(f)) { continue; }
      let g = vec3f(gBary[2u * p], gBary[2u * p + 1u], gDepth[p]);
      let c = -vec3f((f32(x) + 0.5 - cam.cx) / cam.fx, (f32(y) + 0.5 - cam.cy) / cam.fy, 1.0);
      let bc = cross(b, c);
      let det = dot(a, bc);
      if (det == 0.0) { continue; }
      let lambda = (g.x * bc + g.y * cross(c, a) + g.z * cross(a, b)) / det;
      let u = bary[2u * p];
      let v = bary[2u * p + 1u];
      s0 -= u * lambda;
      s1 -= v * lambda;
      s2 -= (1.0 - u - v) * lambda;
    }
  }
  for (var k = 0u; k < 3u; k++) {
    faceGrad[9u * f + k] = s0[k];
    faceGrad[9u * f + 3u + k] = s1[k];
    faceGrad[9u * f + 6u + k] = s2[k];
  }
}`;

export function encodeRasterizeBackward(
  gpu: GpuContext,
  enc: GPUCommandEncoder,
  cam: CameraInfo,
  faces: GPUBuffer,
  facesHost: ArrayLike<number>,
  V: number,
  pc: GPUBuffer,
  triId: GPUBuffer,
  bary: GPUBuffer,
  gBary: GPUBuffer,
  gDepth: GPUBuffer,
  temps: GPUBuffer[],
): GPUBuffer {
  const F = facesHost.length / 3;
  const u = gpu.uniform(packCamera(cam, V, F, 0));
  const faceGrad = gpu.storage(4 * 9 * F);
  temps.push(u, faceGrad);
  const rects = encodeRects(gpu, enc, triId, cam.width, cam.height, F, temps);
  gpu.dispatch(enc, gpu.pipeline('rast-bwd-faces', FACES), [u, faces, pc, triId, bary, rects, gBary, gDepth, faceGrad], groups64(F));
  return encodeGather(gpu, enc, facesHost, V, 3, faceGrad, temps);
}
