/**
 * WebGPU antialias forward: the formula of cpu/antialias.ts evaluated as a gather (each
 * pixel looks at its four neighbours and adds the contributions it receives), so no
 * pixel is written by two threads and the result is deterministic. The backward of
 * antialias is CPU-only in this version.
 */

import { CAM_WGSL, packCamera } from './camera-uniform.js';
import { type GpuContext, LINEAR_ID, groups64 } from './context.js';
import type { CameraInfo } from '../validate.js';

const ANTIALIAS = /* wgsl */ `${CAM_WGSL}${LINEAR_ID}
@group(0) @binding(0) var<uniform> cam: Cam;
@group(0) @binding(1) var<storage, read> faces: array<u32>;
@group(0) @binding(2) var<storage, read> scr: array<vec4f>;
@group(0) @binding(3) var<storage, read> opposite: array<i32>;
@group(0) @binding(4) var<storage, read> triId: array<i32>;
@group(0) @binding(5) var<storage, read> depth: array<f32>;
@group(0) @binding(6) var<storage, read> color: array<f32>;
@group(0) @binding(7) var<storage, read_write> out: array<f32>;

fn centre(p: u32) -> vec2f { return vec2f(f32(p % cam.width) + 0.5, f32(p / cam.width) + 0.5); }
fn edgeF(si: vec2f, sj: vec2f, x: vec2f) -> f32 {
  let e = sj - si;
  return e.x * (x.y - si.y) - e.y * (x.x - si.x);
}

// Weight with which receiver p takes q's colour (0 when the pair gives p nothing).
fn weight(p: u32, q: u32) -> f32 {
  let idp = triId[p];
  let idq = triId[q];
  if (idp == idq) { return 0.0; }
  var aIsP: bool;
  if (idq < 0) { aIsP = true; }
  else if (idp < 0) { aIsP = false; }
  else if (depth[p] != depth[q]) { aIsP = depth[p] < depth[q]; }
  else { aIsP = idp < idq; }
  var a = q; var b = p;
  if (aIsP) { a = p; b = q; }
  let T = u32(triId[a]);
  let ca = centre(a);
  let cb = centre(b);
  var best = -1;
  var bt = 1e30;
  for (var k = 0u; k < 3u; k++) {
    let si = scr[faces[3u * T + k]].xy;
    let sj = scr[faces[3u * T + (k + 1u) % 3u]].xy;
    let fa = edgeF(si, sj, ca);
    let fb = edgeF(si, sj, cb);
    if (fa == 0.0 || fa * fb > 0.0) { continue; }
    let t = fa / (fa - fb);
    if (t < bt) { bt = t; best = i32(k); }
  }
  if (best < 0) { return 0.0; }
  let k = u32(best);
  let o = opposite[3u * T + k];
  if (o >= 0) {
    let si = scr[faces[3u * T + k]].xy;
    let sj = scr[faces[3u * T + (k + 1u) % 3u]].xy;
    let fk = edgeF(si, sj, scr[faces[3u * T + (k + 2u) % 3u]].xy);
    let fo = edgeF(si, sj, scr[u32(o)].xy);
    if (!(fk * fo > 0.0)) { return 0.0; }
  }
  if (aIsP && bt < 0.5) { return 0.5 - bt; }
  if (!aIsP && bt > 0.5) { return bt - 0.5; }
  return 0.0;
}

@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let p = linearId(gid);
  let W = cam.width;
  let C = cam.channels;
  if (p >= W * cam.height) { return; }
  let x = p % W;
  let y = p / W;
  var nb = array<u32, 4>(p, p, p, p);
  var wt = vec4f(0.0);
  if (x > 0u) { nb[0] = p - 1u; wt.x = weight(p, p - 1u); }
  if (x + 1u < W) { nb[1] = p + 1u; wt.y = weight(p, p + 1u); }
  if (y > 0u) { nb[2] = p - W; wt.z = weight(p, p - W); }
  if (y + 1u < cam.height) { nb[3] = p + W; wt.w = weight(p, p + W); }
  for (var c = 0u; c < C; c++) {
    let cp = color[p * C + c];
    var v = cp;
    for (var i = 0u; i < 4u; i++) { v += wt[i] * (color[nb[i] * C + c] - cp); }
    out[p * C + c] = v;
  }
}`;

export function encodeAntialias(
  gpu: GpuContext,
  enc: GPUCommandEncoder,
  cam: CameraInfo,
  V: number,
  F: number,
  C: number,
  faces: GPUBuffer,
  scr: GPUBuffer,
  opposite: GPUBuffer,
  triId: GPUBuffer,
  depth: GPUBuffer,
  color: GPUBuffer,
  temps: GPUBuffer[],
): GPUBuffer {
  const P = cam.width * cam.height;
  const u = gpu.uniform(packCamera(cam, V, F, 0, C));
  const out = gpu.storage(4 * P * C);
  temps.push(u);
  gpu.dispatch(enc, gpu.pipeline('antialias', ANTIALIAS), [u, faces, scr, opposite, triId, depth, color, out], groups64(P));
  return out;
}
