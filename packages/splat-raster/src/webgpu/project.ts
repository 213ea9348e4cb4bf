/**
 * Forward projection kernel: one invocation per Gaussian (3DGS "preprocess").
 *
 * Writes, per Gaussian i:
 * - `splats[3i .. 3i+2]` (vec4f): (u, v, o', z), (A, B, C, qmax), (r, g, b, 0): what the
 *   rasterizer reads (2D mean in pixels, effective opacity, camera depth, conic, the bound on
 *   the conic's quadratic form beyond which alpha < 1/255 (`skipBound`), colour);
 *   zero when culled;
 * - `geo`: u32 words [means2d (2N f32 bits) | radii (N i32)] (the public outputs);
 * - `rects[i]` (vec4u): the tile rectangle [x0, y0, x1 + 1, y1 + 1), zero when not rasterized.
 *
 * API
 * - `encodeProject(frame, pass, buffers)`
 */

import type { Frame } from './gpu-context.js';
import { WGSL_LINEAR_GROUP } from './gpu-context.js';
import { paramsWgsl } from './params.js';
import { PROJECT_WGSL } from './project-wgsl.js';
import { SKIP_BOUND_WGSL } from './rasterize.js';

export const PROJECT_WG = 128;

/** Storage declarations of the scene inputs, bindings 1..5 (`opacities` etc.). */
export const SCENE_BINDINGS_WGSL = /* wgsl */ `
@group(0) @binding(1) var<storage, read> means: array<f32>;
@group(0) @binding(2) var<storage, read> quats: array<f32>;
@group(0) @binding(3) var<storage, read> scales: array<f32>;
@group(0) @binding(4) var<storage, read> opacities: array<f32>;
@group(0) @binding(5) var<storage, read> colors: array<f32>;
`;

const projectWgsl = (): string => /* wgsl */ `
${paramsWgsl()}
${WGSL_LINEAR_GROUP}
${SCENE_BINDINGS_WGSL}
@group(0) @binding(6) var<storage, read_write> splats: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> geo: array<u32>;
@group(0) @binding(8) var<storage, read_write> rects: array<vec4u>;
${PROJECT_WGSL}
${SKIP_BOUND_WGSL}

@compute @workgroup_size(${PROJECT_WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) t: u32) {
  let n = P.cfg.x;
  let i = linearGroup(wid, nwg) * ${PROJECT_WG}u + t;
  if (i >= n) { return; }
  let p = projectGaussian(i);
  if (p.inRange) {
    splats[3u * i] = vec4f(p.mean2d, p.opacity, p.pc.z);
    splats[3u * i + 1u] = vec4f(p.conic, skipBound(p.opacity));
    splats[3u * i + 2u] = vec4f(p.rgb, 0.0);
  } else {
    splats[3u * i] = vec4f(0.0);
    splats[3u * i + 1u] = vec4f(0.0);
    splats[3u * i + 2u] = vec4f(0.0);
  }
  geo[2u * i] = bitcast<u32>(p.mean2d.x);
  geo[2u * i + 1u] = bitcast<u32>(p.mean2d.y);
  geo[2u * n + i] = bitcast<u32>(p.radius);
  rects[i] = p.rect;
}`;

export interface SceneBuffers {
  means: GPUBuffer;
  quats: GPUBuffer;
  scales: GPUBuffer;
  opacities: GPUBuffer;
  colors: GPUBuffer;
}

export function encodeProject(
  frame: Frame,
  pass: GPUComputePassEncoder,
  b: SceneBuffers & { params: GPUBuffer; splats: GPUBuffer; geo: GPUBuffer; rects: GPUBuffer; n: number },
): void {
  const pipeline = frame.ctx.pipeline('project', projectWgsl);
  frame.dispatch(
    pass,
    pipeline,
    [b.params, b.means, b.quats, b.scales, b.opacities, b.colors, b.splats, b.geo, b.rects],
    Math.ceil(b.n / PROJECT_WG),
  );
}
