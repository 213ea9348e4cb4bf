/**
 * WGSL of the per-Gaussian projection, shared by the forward projection kernel and the
 * backward (which recomputes the forward intermediates instead of storing them).
 * Step for step the maths of the CPU reference, ../cpu/project.ts (read its header for
 * the formulas and sources); float32 here.
 *
 * Needs `paramsWgsl()` and these storage bindings declared by the including kernel:
 * `means`, `quats`, `scales`, `opacities`, `colors` (array<f32>).
 *
 * API (WGSL)
 * - `struct Proj`, `fn projectGaussian(i: u32) -> Proj`
 * - `fn shBasis(deg, d) -> array<f32, 16>`, `fn shBasisVjp(deg, d, vBasis) -> vec3f`
 * - `fn quatToRot(q) -> mat3x3f`
 */

import { ALPHA_THRESHOLD } from '../cpu/project.js';
import { shConstantsWgsl } from '../sh.js';

export const PROJECT_WGSL = /* wgsl */ `
${shConstantsWgsl()}
const ALPHA_THRESHOLD: f32 = ${ALPHA_THRESHOLD};

fn shBasis(deg: u32, d: vec3f) -> array<f32, 16> {
  var b: array<f32, 16>;
  b[0] = SH_C0;
  if (deg < 1u) { return b; }
  let x = d.x; let y = d.y; let z = d.z;
  b[1] = -SH_C1 * y; b[2] = SH_C1 * z; b[3] = -SH_C1 * x;
  if (deg < 2u) { return b; }
  let xx = x * x; let yy = y * y; let zz = z * z;
  b[4] = SH_C2[0] * x * y;
  b[5] = SH_C2[1] * y * z;
  b[6] = SH_C2[2] * (2.0 * zz - xx - yy);
  b[7] = SH_C2[3] * x * z;
  b[8] = SH_C2[4] * (xx - yy);
  if (deg < 3u) { return b; }
  b[9] = SH_C3[0] * y * (3.0 * xx - yy);
  b[10] = SH_C3[1] * x * y * z;
  b[11] = SH_C3[2] * y * (4.0 * zz - xx - yy);
  b[12] = SH_C3[3] * z * (2.0 * zz - 3.0 * xx - 3.0 * yy);
  b[13] = SH_C3[4] * x * (4.0 * zz - xx - yy);
  b[14] = SH_C3[5] * z * (xx - yy);
  b[15] = SH_C3[6] * x * (xx - 3.0 * yy);
  return b;
}

// sum_k v[k] dY_k/dd for the direction d treated as a free 3-vector (sh.ts shBasisVjp).
fn shBasisVjp(deg: u32, d: vec3f, v: array<f32, 16>) -> vec3f {
  if (deg < 1u) { return vec3f(0.0); }
  let x = d.x; let y = d.y; let z = d.z;
  var gx = -SH_C1 * v[3];
  var gy = -SH_C1 * v[1];
  var gz = SH_C1 * v[2];
  if (deg >= 2u) {
    let v4 = SH_C2[0] * v[4]; let v5 = SH_C2[1] * v[5]; let v6 = SH_C2[2] * v[6];
    let v7 = SH_C2[3] * v[7]; let v8 = SH_C2[4] * v[8];
    gx += v4 * y - 2.0 * x * v6 + v7 * z + 2.0 * x * v8;
    gy += v4 * x + v5 * z - 2.0 * y * v6 - 2.0 * y * v8;
    gz += v5 * y + 4.0 * z * v6 + v7 * x;
    if (deg >= 3u) {
      let xx = x * x; let yy = y * y; let zz = z * z;
      let v9 = SH_C3[0] * v[9]; let v10 = SH_C3[1] * v[10]; let v11 = SH_C3[2] * v[11];
      let v12 = SH_C3[3] * v[12]; let v13 = SH_C3[4] * v[13]; let v14 = SH_C3[5] * v[14];
      let v15 = SH_C3[6] * v[15];
      gx += v9 * 6.0 * x * y + v10 * y * z - v11 * 2.0 * x * y - v12 * 6.0 * x * z
        + v13 * (4.0 * zz - 3.0 * xx - yy) + v14 * 2.0 * x * z + v15 * (3.0 * xx - 3.0 * yy);
      gy += v9 * (3.0 * xx - 3.0 * yy) + v10 * x * z + v11 * (4.0 * zz - xx - 3.0 * yy)
        - v12 * 6.0 * y * z - v13 * 2.0 * x * y - v14 * 2.0 * y * z - v15 * 6.0 * x * y;
      gz += v10 * x * y + v11 * 8.0 * y * z + v12 * (6.0 * zz - 3.0 * xx - 3.0 * yy)
        + v13 * 8.0 * x * z + v14 * (xx - yy);
    }
  }
  return vec3f(gx, gy, gz);
}

// Rotation of a unit quaternion (w, x, y, z) (3DGS computeCov3D); WGSL matrices are
// column-major: m[c][r].
fn quatToRot(q: vec4f) -> mat3x3f {
  let w = q.x; let x = q.y; let y = q.z; let z = q.w;
  return mat3x3f(
    vec3f(1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y + w * z), 2.0 * (x * z - w * y)),
    vec3f(2.0 * (x * y - w * z), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z + w * x)),
    vec3f(2.0 * (x * z + w * y), 2.0 * (y * z - w * x), 1.0 - 2.0 * (x * x + y * y)));
}

struct Proj {
  inRange: bool,       // near/far passed and the dilated 2D covariance is positive definite
  visible: bool,       // rasterized (binned into tiles)
  radius: i32,
  rect: vec4u,         // tile rectangle [x0, y0, x1 + 1, y1 + 1) (all 0 when not visible)
  mean: vec3f,
  pc: vec3f,           // camera-space mean
  qn: vec4f,
  qnorm: f32,
  rq: mat3x3f,         // rotation of qn
  scale: vec3f,
  sigma: mat3x3f,      // world covariance
  sigmaCam: mat3x3f,   // camera covariance
  j0: vec3f, j1: vec3f,  // rows of the Jacobian
  ux: f32, uy: f32, xInside: bool, yInside: bool,
  cov2d: vec3f,        // undilated (a, b, c)
  conic: vec3f,
  comp: f32,
  opacity: f32,        // effective opacity (input * compensation)
  mean2d: vec2f,
  rgb: vec3f,
  rgbClamped: vec3<bool>,
  dir: vec3f, dirLen: f32,
}

fn projectGaussian(i: u32) -> Proj {
  var o: Proj;
  o.mean = vec3f(means[3u * i], means[3u * i + 1u], means[3u * i + 2u]);
  let R = viewR();
  o.pc = R * o.mean + P.tv.xyz;
  let x = o.pc.x; let y = o.pc.y; let z = o.pc.z;
  if (!(z > P.clip.x) || z > P.clip.y) { return o; }

  let q = vec4f(quats[4u * i], quats[4u * i + 1u], quats[4u * i + 2u], quats[4u * i + 3u]);
  o.qnorm = length(q);
  o.qn = q / o.qnorm;
  o.rq = quatToRot(o.qn);
  o.scale = vec3f(scales[3u * i], scales[3u * i + 1u], scales[3u * i + 2u]);
  let M = mat3x3f(o.rq[0] * o.scale.x, o.rq[1] * o.scale.y, o.rq[2] * o.scale.z);
  o.sigma = M * transpose(M);
  o.sigmaCam = R * o.sigma * transpose(R);

  let fx = P.focal.x; let fy = P.focal.y;
  let xz = x / z; let yz = y / z;
  o.ux = clamp(xz, -P.lim.y, P.lim.x);
  o.uy = clamp(yz, -P.lim.w, P.lim.z);
  o.xInside = o.ux == xz;
  o.yInside = o.uy == yz;
  o.j0 = vec3f(fx / z, 0.0, -fx * o.ux / z);
  o.j1 = vec3f(0.0, fy / z, -fy * o.uy / z);
  let S = o.sigmaCam;
  let a = dot(o.j0, S * o.j0);
  let b = dot(o.j0, S * o.j1);
  let c = dot(o.j1, S * o.j1);
  o.cov2d = vec3f(a, b, c);
  let eps = P.clip.z;
  let ad = a + eps; let cd = c + eps;
  let det = ad * cd - b * b;
  if (!(det > 0.0)) { return o; }
  o.inRange = true;
  o.conic = vec3f(cd / det, -b / det, ad / det);
  o.comp = 1.0;
  if (antialiased()) { o.comp = sqrt(max(0.0, (a * c - b * b) / det)); }
  o.opacity = opacities[i] * o.comp;
  o.mean2d = vec2f(fx * xz + P.focal.z, fy * yz + P.focal.w);

  // Colour: RGB as is, or SH at the direction from the camera centre, + 0.5, clamped at 0.
  let deg1 = P.cfg.y;
  let cs = P.cfg2.y;
  if (deg1 == 0u) {
    o.rgb = vec3f(colors[cs * i], colors[cs * i + 1u], colors[cs * i + 2u]);
  } else {
    let deg = deg1 - 1u;
    let d = o.mean - P.camPos.xyz;
    o.dirLen = length(d);
    o.dir = d / o.dirLen;
    let basis = shBasis(deg, o.dir);
    var rgb = vec3f(0.5);
    for (var k = 0u; k < (deg + 1u) * (deg + 1u); k++) {
      rgb += basis[k] * vec3f(colors[cs * i + 3u * k], colors[cs * i + 3u * k + 1u], colors[cs * i + 3u * k + 2u]);
    }
    if (smoothCutoff()) {
      o.rgbClamped = vec3<bool>(false);
    } else {
      o.rgbClamped = rgb < vec3f(0.0);
    }
    o.rgb = select(rgb, vec3f(0.0), o.rgbClamped);
  }

  // Extent: the 1/255 ellipse's bounding box, and its tiles.
  let ts = P.cfg.w;
  if (smoothCutoff()) {
    o.visible = true;
    o.rect = vec4u(0u, 0u, P.size.z, P.size.w);
  }
  if (o.opacity < ALPHA_THRESHOLD) { return o; }
  let d2 = 2.0 * log(255.0 * o.opacity);
  let ex = sqrt(d2 * ad);
  let ey = sqrt(d2 * cd);
  let u = o.mean2d.x; let v = o.mean2d.y;
  let W = f32(P.size.x); let H = f32(P.size.y);
  let px0 = max(0.0, ceil(u - ex - 0.5));
  let px1 = min(W - 1.0, floor(u + ex - 0.5));
  let py0 = max(0.0, ceil(v - ey - 0.5));
  let py1 = min(H - 1.0, floor(v + ey - 0.5));
  if (!(px0 <= px1) || !(py0 <= py1)) { return o; }
  let r = ceil(max(ex, ey));
  if (r >= 2147483647.0) { o.radius = 2147483647; } else { o.radius = max(1, i32(r)); }
  if (!smoothCutoff()) {
    o.visible = true;
    o.rect = vec4u(u32(px0) / ts, u32(py0) / ts, u32(px1) / ts + 1u, u32(py1) / ts + 1u);
  }
  return o;
}
`;
