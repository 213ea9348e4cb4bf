/**
 * The camera uniform shared by the mesh kernels (WGSL struct `Cam`) and its packing.
 */

import type { CameraInfo } from '../validate.js';

export const CAM_WGSL = /* wgsl */ `
struct Cam {
  r0: vec4f, r1: vec4f, r2: vec4f,   // rows of R, .w = t
  fx: f32, fy: f32, cx: f32, cy: f32,
  width: u32, height: u32, near: f32, far: f32,
  nv: u32, nf: u32, pass_: u32, channels: u32,
};`;

/** 96 bytes: R rows with t, intrinsics, size, depth range, counts, pass index, channels. */
export function packCamera(cam: CameraInfo, nv: number, nf: number, pass: number, channels = 0): ArrayBuffer {
  const buf = new ArrayBuffer(96);
  const f = new Float32Array(buf);
  const u = new Uint32Array(buf);
  for (let r = 0; r < 3; r++) f.set([cam.R[3 * r], cam.R[3 * r + 1], cam.R[3 * r + 2], cam.t[r]], 4 * r);
  f.set([cam.fx, cam.fy, cam.cx, cam.cy], 12);
  u[16] = cam.width;
  u[17] = cam.height;
  f[18] = cam.near;
  // far may exceed f32 range (default 1e10 does not; Infinity-like values are capped).
  f[19] = Math.min(cam.far, 3.4e38);
  u.set([nv, nf, pass, channels], 20);
  return buf;
}
