/**
 * The per-render uniform block shared by every kernel of one forward / backward, and its
 * WGSL declaration. Camera-derived quantities (camera centre, R^{-1}, frustum limits) are
 * computed here in float64 from the validated camera, exactly as the CPU reference does.
 *
 * API
 * - `paramsWgsl(featureBackgroundVec4s?)`  the `Params` struct + `@binding(0)` uniform declaration
 * - `packParams(info) -> ArrayBuffer`
 */

import { projectionLimits } from '../cpu/project.js';
import type { CameraInfo, ResolvedRenderOptions, SceneInfo } from '../validate.js';

/** Bytes before the feature background array. */
const HEADER_VEC4S = 15;

export const FLAG_ANTIALIASED = 1;
export const FLAG_SMOOTH = 2;

export interface RenderSetup {
  scene: SceneInfo;
  camera: CameraInfo;
  options: ResolvedRenderOptions;
  smoothCutoff: boolean;
  tileSize: number;
  tilesX: number;
  tilesY: number;
}

/** WGSL `Params`; pass the number of vec4s of feature background the kernel reads (0: none). */
export function paramsWgsl(fbgVec4s = 0): string {
  return /* wgsl */ `
struct Params {
  rv0: vec4f, rv1: vec4f, rv2: vec4f,   // columns of the world-to-camera rotation R
  tv: vec4f,                            // translation t
  camPos: vec4f,                        // camera centre -R^{-1} t
  ri0: vec4f, ri1: vec4f, ri2: vec4f,   // columns of R^{-1}
  focal: vec4f,                         // fx fy cx cy
  lim: vec4f,                           // limXPos limXNeg limYPos limYNeg
  clip: vec4f,                          // near far eps2d 0
  bg: vec4f,                            // background rgb
  size: vec4u,                          // width height tilesX tilesY
  cfg: vec4u,                           // n, shDegree + 1 (0: RGB), flags, tileSize
  cfg2: vec4u,                          // featureDim, colorStride, 0, 0
${fbgVec4s > 0 ? `  fbg: array<vec4f, ${fbgVec4s}>,` : ''}
}
@group(0) @binding(0) var<uniform> P: Params;
fn viewR() -> mat3x3f { return mat3x3f(P.rv0.xyz, P.rv1.xyz, P.rv2.xyz); }
fn viewRinv() -> mat3x3f { return mat3x3f(P.ri0.xyz, P.ri1.xyz, P.ri2.xyz); }
fn antialiased() -> bool { return (P.cfg.z & ${FLAG_ANTIALIASED}u) != 0u; }
fn smoothCutoff() -> bool { return (P.cfg.z & ${FLAG_SMOOTH}u) != 0u; }
`;
}

export function paramsByteLength(featureDim: number): number {
  return (HEADER_VEC4S + Math.max(1, Math.ceil(featureDim / 4))) * 16;
}

export function packParams(s: RenderSetup): ArrayBuffer {
  const F = s.scene.featureDim;
  const buf = new ArrayBuffer(paramsByteLength(F));
  const f = new Float32Array(buf);
  const u = new Uint32Array(buf);
  const v = s.camera.viewMatrix;
  // Columns of R are view[0..2], view[4..6], view[8..10] (column-major 4x4).
  for (let c = 0; c < 3; c++) for (let r = 0; r < 3; r++) f[c * 4 + r] = v[c * 4 + r];
  f.set([v[12], v[13], v[14], 0], 12);
  // R^{-1} and the camera centre in float64.
  const R = [v[0], v[4], v[8], v[1], v[5], v[9], v[2], v[6], v[10]]; // row-major
  const det =
    R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) + R[2] * (R[3] * R[7] - R[4] * R[6]);
  const inv = [
    R[4] * R[8] - R[5] * R[7], R[2] * R[7] - R[1] * R[8], R[1] * R[5] - R[2] * R[4],
    R[5] * R[6] - R[3] * R[8], R[0] * R[8] - R[2] * R[6], R[2] * R[3] - R[0] * R[5],
    R[3] * R[7] - R[4] * R[6], R[1] * R[6] - R[0] * R[7], R[0] * R[4] - R[1] * R[3],
  ].map((x) => x / det);
  const t = [v[12], v[13], v[14]];
  const cam = [0, 1, 2].map((r) => -(inv[r * 3] * t[0] + inv[r * 3 + 1] * t[1] + inv[r * 3 + 2] * t[2]));
  f.set([cam[0], cam[1], cam[2], 0], 16);
  for (let c = 0; c < 3; c++) for (let r = 0; r < 3; r++) f[20 + c * 4 + r] = inv[r * 3 + c];
  const cm = s.camera;
  f.set([cm.fx, cm.fy, cm.cx, cm.cy], 32);
  const lim = projectionLimits(cm);
  f.set([lim.limXPos, lim.limXNeg, lim.limYPos, lim.limYNeg], 36);
  f.set([cm.near, cm.far, s.options.eps2d, 0], 40);
  f.set([...s.options.background, 0], 44);
  u.set([cm.width, cm.height, s.tilesX, s.tilesY], 48);
  const flags = (s.options.antialiased ? FLAG_ANTIALIASED : 0) | (s.smoothCutoff ? FLAG_SMOOTH : 0);
  u.set([s.scene.n, s.scene.shDegree + 1, flags, s.tileSize], 52);
  u.set([F, s.scene.colorStride, 0, 0], 56);
  f.set(s.options.featureBackground, 60);
  return buf;
}
