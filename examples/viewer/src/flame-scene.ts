/**
 * The synthetic FLAME head as Gaussians bound to its triangles, re-posed per frame from
 * expression, jaw and head-pose parameters.
 *
 * Binding as in GaussianAvatars (Qian et al., CVPR 2024, Sec. 3.2): each Gaussian belongs to
 * one triangle and stores its position, rotation and scale in that triangle's local frame
 * (origin at the centroid, axes from the first edge and the normal, unit = the triangle's
 * size, see `triangleFrames` in @headsplat/flame). After FLAME's forward pass the frames
 * are recomputed on the posed mesh and the Gaussians follow: mean = R (s local) + centroid,
 * rotation = R q_local, scale = s * local scale.
 *
 * Only the synthetic FLAME-format model of @headsplat/flame is used (FLAME itself is licensed).
 */
import {
  createSyntheticFlame,
  flameForwardCpu,
  sampleSurface,
  SYNTHETIC_EXPRESSIONS,
  triangleFrames,
  type FlameFrameParams,
  type SyntheticFlame,
  type TriangleFrames,
} from '@headsplat/flame';
import type { GaussianScene } from '@headsplat/splat-raster';

/** The controls of the FLAME mode; angles in radians. */
export interface FlameControls {
  jawOpen: number;
  smile: number;
  blink: number;
  browRaise: number;
  pucker: number;
  /** jaw rotation about its x axis (opens the mouth by pose, not by blendshape) */
  jawPose: number;
  headYaw: number;
  headPitch: number;
  headRoll: number;
}

export const NEUTRAL_CONTROLS: FlameControls = { jawOpen: 0, smile: 0, blink: 0, browRaise: 0, pucker: 0, jawPose: 0, headYaw: 0, headPitch: 0, headRoll: 0 };

/** FLAME parameters of a control setting. */
export function controlsToParams(model: SyntheticFlame, c: FlameControls): FlameFrameParams {
  const expression = new Float64Array(model.numExpression);
  const set = (k: keyof typeof SYNTHETIC_EXPRESSIONS, v: number): void => {
    const i = SYNTHETIC_EXPRESSIONS[k];
    if (i < expression.length) expression[i] = v;
  };
  set('jawOpen', c.jawOpen);
  set('smile', c.smile);
  set('blink', c.blink);
  set('browRaise', c.browRaise);
  set('pucker', c.pucker);
  return { expression, jawPose: [c.jawPose, 0, 0], rotation: [c.headPitch, c.headYaw, c.headRoll] };
}

/** Quaternion (w, x, y, z) of a row-major 3x3 rotation `m` at `o` (Shepperd's method). */
export function quatFromMatrix(m: ArrayLike<number>, o = 0): [number, number, number, number] {
  const m00 = m[o], m01 = m[o + 1], m02 = m[o + 2];
  const m10 = m[o + 3], m11 = m[o + 4], m12 = m[o + 5];
  const m20 = m[o + 6], m21 = m[o + 7], m22 = m[o + 8];
  const tr = m00 + m11 + m22;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    return [0.25 * s, (m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s];
  }
  if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    return [(m21 - m12) / s, 0.25 * s, (m01 + m10) / s, (m02 + m20) / s];
  }
  if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    return [(m02 - m20) / s, (m01 + m10) / s, 0.25 * s, (m12 + m21) / s];
  }
  const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
  return [(m10 - m01) / s, (m02 + m20) / s, (m12 + m21) / s, 0.25 * s];
}

type Rgb = [number, number, number];
const SKIN: Rgb = [0.9, 0.7, 0.58];
const LIPS: Rgb = [0.75, 0.25, 0.27];
const HAIR: Rgb = [0.3, 0.19, 0.12];
const SCLERA: Rgb = [0.95, 0.95, 0.93];
const IRIS: Rgb = [0.2, 0.35, 0.55];

/** Per-vertex albedo from the model's named masks. */
function vertexColors(model: SyntheticFlame): Float32Array {
  const V = model.numVertices;
  const out = new Float32Array(V * 3);
  for (let v = 0; v < V; v++) out.set(SKIN, 3 * v);
  const paint = (mask: string, rgb: Rgb): void => {
    for (const v of model.masks?.[mask] ?? []) out.set(rgb, 3 * v);
  };
  paint('scalp', HAIR);
  paint('lips', LIPS);
  const [l, r] = model.info.eyeStart;
  const n = model.info.eyeVertexCount;
  const t = model.vTemplate;
  for (const start of [l, r]) {
    // The iris: the front cap of each eyeball (largest z of the ball).
    let zMax = -Infinity, zMin = Infinity;
    for (let v = start; v < start + n; v++) {
      zMax = Math.max(zMax, t[3 * v + 2]);
      zMin = Math.min(zMin, t[3 * v + 2]);
    }
    for (let v = start; v < start + n; v++) out.set(t[3 * v + 2] > zMax - 0.3 * (zMax - zMin) ? IRIS : SCLERA, 3 * v);
  }
  return out;
}

export interface FlameGaussians {
  model: SyntheticFlame;
  /** (N) triangle of each Gaussian */
  binding: Int32Array;
  /** (N, 3) position in its triangle's frame, in units of the triangle's scale */
  localMeans: Float32Array;
  /** (N, 3) scales in units of the triangle's scale */
  localScales: Float32Array;
  /** (N, 3) RGB */
  colors: Float32Array;
  opacities: Float32Array;
}

/**
 * Binds `count` Gaussians to the synthetic FLAME head's surface (area-uniform samples):
 * flat disks in their triangle's plane, coloured from the model's masks.
 */
export function bindFlameGaussians(count = 20_000, seed = 1): FlameGaussians {
  const model = createSyntheticFlame();
  const faces = model.faces;
  const rest = flameForwardCpu(model, {}).vertices;
  const frames = triangleFrames(rest, faces);
  const samples = sampleSurface(rest, faces, count, seed);
  const vc = vertexColors(model);
  const localMeans = new Float32Array(count * 3);
  const localScales = new Float32Array(count * 3);
  const colors = new Float32Array(count * 3);
  // Disk size: about the spacing of the samples, in world units, then per triangle.
  let area = 0;
  for (let f = 0; f < faces.length / 3; f++) area += frames.scales[f] ** 2 / 2;
  const radius = 0.9 * Math.sqrt(area / count);
  for (let i = 0; i < count; i++) {
    const f = samples.faceIndex[i];
    const s = frames.scales[f];
    const R = frames.rotations.subarray(9 * f, 9 * f + 9);
    const d = [0, 1, 2].map((c) => samples.points[3 * i + c] - frames.centroids[3 * f + c]);
    // local = R^T d / s (R's columns are the frame axes; the normal is the second).
    for (let k = 0; k < 3; k++) localMeans[3 * i + k] = (R[k] * d[0] + R[3 + k] * d[1] + R[6 + k] * d[2]) / s;
    localScales.set([radius / s, (0.15 * radius) / s, radius / s], 3 * i);
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let k = 0; k < 3; k++) sum += samples.bary[3 * i + k] * vc[3 * faces[3 * f + k] + c];
      colors[3 * i + c] = sum;
    }
  }
  return { model, binding: samples.faceIndex, localMeans, localScales, colors, opacities: new Float32Array(count).fill(0.95) };
}

/** Posed Gaussians of a control setting (shading baked in as a fixed key light, for shape cues). */
export function poseFlameGaussians(g: FlameGaussians, controls: FlameControls): GaussianScene & { frames: TriangleFrames } {
  const verts = flameForwardCpu(g.model, controlsToParams(g.model, controls)).vertices;
  const frames = triangleFrames(verts, g.model.faces);
  const n = g.binding.length;
  const means = new Float32Array(n * 3);
  const quats = new Float32Array(n * 4);
  const scales = new Float32Array(n * 3);
  const colors = new Float32Array(n * 3);
  const light = [0.35, 0.45, 0.82];
  for (let i = 0; i < n; i++) {
    const f = g.binding[i];
    const s = frames.scales[f];
    const R = frames.rotations.subarray(9 * f, 9 * f + 9);
    const l = [g.localMeans[3 * i] * s, g.localMeans[3 * i + 1] * s, g.localMeans[3 * i + 2] * s];
    for (let r = 0; r < 3; r++) means[3 * i + r] = R[3 * r] * l[0] + R[3 * r + 1] * l[1] + R[3 * r + 2] * l[2] + frames.centroids[3 * f + r];
    quats.set(quatFromMatrix(R), 4 * i);
    for (let k = 0; k < 3; k++) scales[3 * i + k] = g.localScales[3 * i + k] * s;
    // Normal = second column of R; half-Lambert so that nothing goes black.
    const ndl = R[1] * light[0] + R[4] * light[1] + R[7] * light[2];
    const shade = 0.55 + 0.45 * Math.max(-1, Math.min(1, ndl));
    for (let c = 0; c < 3; c++) colors[3 * i + c] = g.colors[3 * i + c] * shade;
  }
  return { means, quats, scales, opacities: g.opacities, colors, frames };
}
