/**
 * WGSL kernels of the all-GPU fit (fit-webgpu.ts): parameter activation, the MSE loss with
 * its image gradient, and Adam on GPU buffers.
 *
 * - `activate`: scales = exp(logScales), opacities = sigmoid(logits) (3DGS's activations).
 * - `mseLoss`: one workgroup; grad = 2 (rgb - target) / count, losses[slot] = mean (rgb - target)^2
 *   (per-invocation partial sums reduced in workgroup memory).
 * - `adam`: Kingma & Ba (2015), Algorithm 1 with bias correction (the constants c1 = 1 - b1^t,
 *   c2 = 1 - b2^t come from the host in float64), after the chain rule through the
 *   activation of the group: d/ds = d/dscale exp(s), d/do = d/dopacity sigma(o) (1 - sigma(o)).
 *   @see https://arxiv.org/abs/1412.6980
 *
 * API
 * - `encodeActivate`, `encodeMseLoss`, `encodeAdam`, `ADAM_KIND`
 */

import { type Frame, WGSL_LINEAR_GROUP } from '../webgpu/gpu-context.js';

const WG = 256;

/** How a group's gradient is chained through its activation before the Adam update. */
export const ADAM_KIND = { plain: 0, exp: 1, sigmoid: 2 } as const;

const activateWgsl = (): string => /* wgsl */ `
${WGSL_LINEAR_GROUP}
struct U { n: u32 }
@group(0) @binding(0) var<uniform> u: U;
@group(0) @binding(1) var<storage, read> logScales: array<f32>;
@group(0) @binding(2) var<storage, read> logits: array<f32>;
@group(0) @binding(3) var<storage, read_write> scales: array<f32>;
@group(0) @binding(4) var<storage, read_write> opacities: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let i = linearGroup(wid, nwg) * ${WG}u + t;
  if (i < 3u * u.n) { scales[i] = exp(logScales[i]); }
  if (i < u.n) { opacities[i] = 1.0 / (1.0 + exp(-logits[i])); }
}`;

const mseWgsl = (): string => /* wgsl */ `
struct U { count: u32, slot: u32 }
@group(0) @binding(0) var<uniform> u: U;
@group(0) @binding(1) var<storage, read> rgb: array<f32>;
@group(0) @binding(2) var<storage, read> tgt: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> losses: array<f32>;
var<workgroup> partial: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) t: u32) {
  let scale = 2.0 / f32(u.count);
  var s = 0.0;
  for (var j = t; j < u.count; j += ${WG}u) {
    let d = rgb[j] - tgt[j];
    grad[j] = scale * d;
    s += d * d;
  }
  partial[t] = s;
  for (var off = ${WG / 2}u; off > 0u; off >>= 1u) {
    workgroupBarrier();
    if (t < off) { partial[t] += partial[t + off]; }
  }
  if (t == 0u) { losses[u.slot] = partial[0] / f32(u.count); }
}`;

const adamWgsl = (): string => /* wgsl */ `
${WGSL_LINEAR_GROUP}
struct U { n: u32, kind: u32, _a: u32, _b: u32, lr: f32, b1: f32, b2: f32, eps: f32, c1: f32, c2: f32 }
@group(0) @binding(0) var<uniform> u: U;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let i = linearGroup(wid, nwg) * ${WG}u + t;
  if (i >= u.n) { return; }
  let x = param[i];
  var g = grad[i];
  if (u.kind == ${ADAM_KIND.exp}u) { g *= exp(x); }
  if (u.kind == ${ADAM_KIND.sigmoid}u) { let s = 1.0 / (1.0 + exp(-x)); g *= s * (1.0 - s); }
  let mi = u.b1 * m[i] + (1.0 - u.b1) * g;
  let vi = u.b2 * v[i] + (1.0 - u.b2) * g * g;
  m[i] = mi;
  v[i] = vi;
  param[i] = x - u.lr * (mi / u.c1) / (sqrt(vi / u.c2) + u.eps);
}`;

export function encodeActivate(
  frame: Frame,
  pass: GPUComputePassEncoder,
  b: { n: number; logScales: GPUBuffer; logits: GPUBuffer; scales: GPUBuffer; opacities: GPUBuffer },
): void {
  const pl = frame.ctx.pipeline('fit-activate', activateWgsl);
  const u = frame.uniform(new Uint32Array([b.n, 0, 0, 0]));
  frame.dispatch(pass, pl, [u, b.logScales, b.logits, b.scales, b.opacities], Math.ceil((3 * b.n) / WG));
}

export function encodeMseLoss(
  frame: Frame,
  pass: GPUComputePassEncoder,
  b: { count: number; slot: number; rgb: GPUBuffer; target: GPUBuffer; grad: GPUBuffer; losses: GPUBuffer },
): void {
  const pl = frame.ctx.pipeline('fit-mse', mseWgsl);
  const u = frame.uniform(new Uint32Array([b.count, b.slot, 0, 0]));
  frame.dispatch(pass, pl, [u, b.rgb, b.target, b.grad, b.losses], 1);
}

export interface AdamStep {
  n: number;
  kind: number;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Adam's step count t (1-based), for the bias correction. */
  t: number;
}

export function encodeAdam(
  frame: Frame,
  pass: GPUComputePassEncoder,
  s: AdamStep,
  b: { grad: GPUBuffer; param: GPUBuffer; m: GPUBuffer; v: GPUBuffer },
): void {
  if (s.n === 0) return;
  const pl = frame.ctx.pipeline('fit-adam', adamWgsl);
  const data = new ArrayBuffer(48);
  new Uint32Array(data, 0, 4).set([s.n, s.kind, 0, 0]);
  new Float32Array(data, 16, 6).set([s.lr, s.beta1, s.beta2, s.eps, 1 - s.beta1 ** s.t, 1 - s.beta2 ** s.t]);
  const u = frame.uniform(data);
  frame.dispatch(pass, pl, [u, b.grad, b.param, b.m, b.v], Math.ceil(s.n / WG));
}
