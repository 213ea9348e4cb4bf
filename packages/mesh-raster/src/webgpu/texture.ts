/**
 * WebGPU bilinear texture lookup and its backward (formulas and addressing as
 * cpu/texture.ts). The UV gradient is per point (deterministic). The texture gradient is
 * a scatter into texels, done with a compare-exchange loop on the f32 bits (WGSL has no
 * float atomics): its value is exact up to the order of float additions, which may vary
 * between runs in the last bits.
 */

import type { TextureWrap } from '../types.js';
import { type GpuContext, LINEAR_ID, groups64 } from './context.js';

const HEAD = /* wgsl */ `${LINEAR_ID}
struct Params { tw: u32, th: u32, channels: u32, n: u32, wrap: u32, pad0: u32, pad1: u32, pad2: u32 };
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> tex: array<f32>;
@group(0) @binding(2) var<storage, read> uv: array<f32>;
struct Taps { o: vec4u, a: f32, b: f32 };
fn addr(i: i32, n: i32) -> u32 {
  if (params.wrap == 1u) { return u32(clamp(i, 0, n - 1)); }
  return u32(((i % n) + n) % n);
}
fn taps(p: u32) -> Taps {
  let x = uv[2u * p] * f32(params.tw) - 0.5;
  let y = uv[2u * p + 1u] * f32(params.th) - 0.5;
  let x0 = floor(x);
  let y0 = floor(y);
  let xi = i32(x0);
  let yi = i32(y0);
  let xa = addr(xi, i32(params.tw));
  let xb = addr(xi + 1, i32(params.tw));
  let ya = addr(yi, i32(params.th));
  let yb = addr(yi + 1, i32(params.th));
  let C = params.channels;
  let o = vec4u((ya * params.tw + xa) * C, (ya * params.tw + xb) * C, (yb * params.tw + xa) * C, (yb * params.tw + xb) * C);
  return Taps(o, x - x0, y - y0);
}`;

const FORWARD = /* wgsl */ `${HEAD}
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let p = linearId(gid);
  if (p >= params.n) { return; }
  let t = taps(p);
  let w = vec4f((1.0 - t.a) * (1.0 - t.b), t.a * (1.0 - t.b), (1.0 - t.a) * t.b, t.a * t.b);
  let C = params.channels;
  for (var c = 0u; c < C; c++) {
    out[p * C + c] = w.x * tex[t.o.x + c] + w.y * tex[t.o.y + c] + w.z * tex[t.o.z + c] + w.w * tex[t.o.w + c];
  }
}`;

const BACKWARD = /* wgsl */ `${HEAD}
@group(0) @binding(3) var<storage, read> gradOut: array<f32>;
@group(0) @binding(4) var<storage, read_write> gUv: array<f32>;
@group(0) @binding(5) var<storage, read_write> gTex: array<atomic<u32>>;
fn atomicAddF32(i: u32, v: f32) {
  if (v == 0.0) { return; }
  var old = atomicLoad(&gTex[i]);
  loop {
    let r = atomicCompareExchangeWeak(&gTex[i], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let p = linearId(gid);
  if (p >= params.n) { return; }
  let t = taps(p);
  let w = vec4f((1.0 - t.a) * (1.0 - t.b), t.a * (1.0 - t.b), (1.0 - t.a) * t.b, t.a * t.b);
  let C = params.channels;
  var ga = 0.0;
  var gb = 0.0;
  for (var c = 0u; c < C; c++) {
    let g = gradOut[p * C + c];
    let t00 = tex[t.o.x + c];
    let t01 = tex[t.o.y + c];
    let t10 = tex[t.o.z + c];
    let t11 = tex[t.o.w + c];
    ga += g * ((1.0 - t.b) * (t01 - t00) + t.b * (t11 - t10));
    gb += g * ((1.0 - t.a) * (t10 - t00) + t.a * (t11 - t01));
    atomicAddF32(t.o.x + c, w.x * g);
    atomicAddF32(t.o.y + c, w.y * g);
    atomicAddF32(t.o.z + c, w.z * g);
    atomicAddF32(t.o.w + c, w.w * g);
  }
  gUv[2u * p] = ga * f32(params.tw);
  gUv[2u * p + 1u] = gb * f32(params.th);
}`;

export interface GpuTextureDesc {
  data: GPUBuffer;
  width: number;
  height: number;
  channels: number;
}

function params(tex: GpuTextureDesc, n: number, wrap: TextureWrap): ArrayBuffer {
  return Uint32Array.of(tex.width, tex.height, tex.channels, n, wrap === 'clamp' ? 1 : 0, 0, 0, 0).buffer;
}

export function encodeTexture(gpu: GpuContext, enc: GPUCommandEncoder, tex: GpuTextureDesc, uv: GPUBuffer, n: number, wrap: TextureWrap, temps: GPUBuffer[]): GPUBuffer {
  const u = gpu.uniform(params(tex, n, wrap));
  const out = gpu.storage(4 * n * tex.channels);
  temps.push(u);
  gpu.dispatch(enc, gpu.pipeline('tex', FORWARD), [u, tex.data, uv, out], groups64(n));
  return out;
}

export function encodeTextureBackward(
  gpu: GpuContext,
  enc: GPUCommandEncoder,
  tex: GpuTextureDesc,
  uv: GPUBuffer,
  n: number,
  wrap: TextureWrap,
  gradOut: GPUBuffer,
  temps: GPUBuffer[],
): { texture: GPUBuffer; uv: GPUBuffer } {
  const u = gpu.uniform(params(tex, n, wrap));
  const gUv = gpu.storage(8 * n);
  const gTex = gpu.storage(new Float32Array(tex.width * tex.height * tex.channels));
  temps.push(u);
  gpu.dispatch(enc, gpu.pipeline('tex-bwd', BACKWARD), [u, tex.data, uv, gradOut, gUv, gTex], groups64(n));
  return { texture: gTex, uv: gUv };
}
