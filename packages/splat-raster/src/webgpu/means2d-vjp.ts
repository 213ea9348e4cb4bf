/**
 * Gradient through the `means2d` output (the pinhole projection of the means), for callers
 * that differentiate a loss of the projected means themselves (the /tensor binding):
 *   u = fx x / z + cx, v = fy y / z + cy, p = (x, y, z) = R mean + t,
 *   d mean = R^T (fx gu / z, fy gv / z, -(fx x gu + fy y gv) / z^2).
 * Added to the means gradient of Gaussians whose projection is in range (depth within
 * (near, far] and a positive definite 2D covariance: where means2d is defined, as in the
 * CPU reference's `inDepthRange`).
 *
 * API
 * - `encodeMeans2dVjp(frame, pass, buffers)`
 */

import { type Frame, WGSL_LINEAR_GROUP } from './gpu-context.js';
import { paramsWgsl } from './params.js';
import { SCENE_BINDINGS_WGSL } from './project.js';
import { PROJECT_WGSL } from './project-wgsl.js';

const WG = 128;

const means2dVjpWgsl = (): string => /* wgsl */ `
${paramsWgsl()}
${WGSL_LINEAR_GROUP}
${SCENE_BINDINGS_WGSL}
@group(0) @binding(6) var<storage, read> gMeans2d: array<f32>;
@group(0) @binding(7) var<storage, read_write> gradOut: array<f32>;
${PROJECT_WGSL}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let i = linearGroup(wid, nwg) * ${WG}u + t;
  if (i >= P.cfg.x) { return; }
  let p = projectGaussian(i);
  if (!p.inRange) { return; }
  let gu = gMeans2d[2u * i];
  let gv = gMeans2d[2u * i + 1u];
  let fx = P.focal.x; let fy = P.focal.y;
  let z = p.pc.z;
  let dp = vec3f(fx * gu / z, fy * gv / z, -(fx * p.pc.x * gu + fy * p.pc.y * gv) / (z * z));
  let dm = transpose(viewR()) * dp;
  gradOut[3u * i] += dm.x;
  gradOut[3u * i + 1u] += dm.y;
  gradOut[3u * i + 2u] += dm.z;
}`;

/** Adds the means2d vector-Jacobian product to the means gradient (gradOut's first 3N floats). */
export function encodeMeans2dVjp(
  frame: Frame,
  pass: GPUComputePassEncoder,
  b: {
    n: number;
    params: GPUBuffer;
    means: GPUBuffer;
    quats: GPUBuffer;
    scales: GPUBuffer;
    opacities: GPUBuffer;
    colors: GPUBuffer;
    gMeans2d: GPUBuffer;
    gradOut: GPUBuffer;
  },
): void {
  const pl = frame.ctx.pipeline('means2d-vjp', means2dVjpWgsl);
  frame.dispatch(pass, pl, [b.params, b.means, b.quats, b.scales, b.opacities, b.colors, b.gMeans2d, b.gradOut], Math.ceil(b.n / WG));
}
