/**
 * Animates the synthetic FLAME-format head through jaw, expressions and a head turn and renders
 * each frame with @headsplat/mesh-raster (rasterize -> interpolate colours and normals ->
 * Lambert + ambient shading -> antialias) to PNGs, plus frames.json with each frame's FLAME
 * parameters and camera.
 *   pnpm --filter @headsplat/examples flame [--out out/flame --size 256 --frames 12 --backend cpu|webgpu]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng } from '@headsplat/core';
import { createSyntheticFlame, flameForwardCpu, SYNTHETIC_EXPRESSIONS, vertexNormals, type FlameFrameParams } from '@headsplat/flame';
import {
  antialiasCpu, buildEdgeTopology, createMeshRasterizer, interpolateCpu, rasterizeCpu, type Camera, type RasterOutput,
} from '@headsplat/mesh-raster';
import { scriptArgs } from './argv.js';

const { values } = parseArgs({
  args: scriptArgs(),
  options: {
    out: { type: 'string', default: 'out/flame' },
    size: { type: 'string', default: '256' },
    frames: { type: 'string', default: '12' },
    backend: { type: 'string', default: 'cpu' },
  },
});
const size = Number(values.size);
const frames = Number(values.frames);
if (!/^\d+$/.test(values.size!) || size < 16 || size > 4096) throw new Error(`--size must be an integer in [16, 4096], got '${values.size}'`);
if (!/^\d+$/.test(values.frames!) || frames < 1 || frames > 1000) throw new Error(`--frames must be an integer in [1, 1000], got '${values.frames}'`);
if (values.backend !== 'cpu' && values.backend !== 'webgpu') throw new Error(`--backend must be 'cpu' or 'webgpu', got '${values.backend}'`);

const model = createSyntheticFlame({ seed: 0 });
const E = model.numExpression;
const X = SYNTHETIC_EXPRESSIONS;

// Per-vertex colours: skin, darker lips, hair on the scalp, white eyeballs with an iris and pupil.
const colors = new Float32Array(model.numVertices * 3);
for (let v = 0; v < model.numVertices; v++) colors.set([0.72, 0.45, 0.35], v * 3);
for (const v of model.masks!.scalp) colors.set([0.12, 0.07, 0.05], v * 3);
for (const v of model.masks!.lips) colors.set([0.6, 0.22, 0.22], v * 3);
for (const name of ['left_eyeball', 'right_eyeball']) {
  const idx = model.masks![name];
  let cz = 0;
  for (const v of idx) cz += model.vTemplate[v * 3 + 2] / idx.length;
  let front = -Infinity;
  for (const v of idx) front = Math.max(front, model.vTemplate[v * 3 + 2]);
  const r = front - cz;
  for (const v of idx) {
    const cosA = (model.vTemplate[v * 3 + 2] - cz) / r; // cosine of the angle from the gaze axis
    colors.set(cosA > 0.99 ? [0.02, 0.02, 0.02] : cosA > 0.9 ? [0.15, 0.3, 0.5] : [0.92, 0.92, 0.9], v * 3);
  }
}

/** A smooth loop: jaw opens and closes, a smile, a blink, brows, then a head turn. */
function paramsAt(t: number): FlameFrameParams {
  const expr = new Float64Array(E);
  const wave = (c: number, w: number) => Math.max(0, Math.cos(((t - c) / w) * Math.PI)) * (Math.abs(t - c) < w / 2 ? 1 : 0);
  const jaw = 0.35 * wave(0.15, 0.3);
  if (E > X.jawOpen) expr[X.jawOpen] = 1.5 * wave(0.15, 0.3);
  if (E > X.smile) expr[X.smile] = 2 * wave(0.45, 0.3);
  if (E > X.blink) expr[X.blink] = wave(0.6, 0.12);
  if (E > X.browRaise) expr[X.browRaise] = 1.5 * wave(0.75, 0.25);
  const yaw = 0.5 * Math.sin(2 * Math.PI * Math.max(0, t - 0.7) / 0.6) * (t > 0.7 ? 1 : 0);
  return { expression: expr, jawPose: [jaw, 0, 0], neckPose: [0, yaw * 0.5, 0], rotation: [0, yaw * 0.5, 0] };
}

/** OpenCV camera at `eye` looking at `target` (image y down along world -y), column-major world-to-camera. */
function lookAt(eye: number[], target: number[], focal: number): Camera {
  const norm = (a: number[]) => a.map((x) => x / Math.hypot(...a));
  const cross = (a: number[], b: number[]) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const z = norm(target.map((x, i) => x - eye[i]));
  const x = norm(cross([0, -1, 0], z));
  const y = cross(z, x);
  const m = new Float64Array(16);
  [x, y, z].forEach((row, r) => {
    for (let c = 0; c < 3; c++) m[c * 4 + r] = row[c];
    m[12 + r] = -(row[0] * eye[0] + row[1] * eye[1] + row[2] * eye[2]);
  });
  m[15] = 1;
  return { viewMatrix: m, fx: focal, fy: focal, cx: size / 2, cy: size / 2, width: size, height: size };
}

// A three-quarter view from slightly above, 0.65 m from the face.
const target = [0, -0.025, 0.01];
const yaw = 0.35;
const camera = lookAt([target[0] + 0.65 * Math.sin(yaw), target[1] + 0.05, target[2] + 0.65 * Math.cos(yaw)], target, size * 2.6);
const light = [-0.4, 0.5, 0.75].map((v) => v / Math.hypot(-0.4, 0.5, 0.75));
const topology = buildEdgeTopology(model.faces, model.numVertices);
const handle = values.backend === 'webgpu' ? await (await import('@headsplat/gpu')).getSharedDevice() : null;
const gpu = handle ? createMeshRasterizer(handle.device) : null;

mkdirSync(values.out!, { recursive: true });
const t0 = performance.now();
const log: Record<string, unknown>[] = [];
for (let i = 0; i < frames; i++) {
  const t = frames === 1 ? 0.15 : i / frames;
  const params = paramsAt(t);
  const verts = flameForwardCpu(model, params).vertices;
  const attrs = new Float32Array(model.numVertices * 6);
  const normals = vertexNormals(verts, model.faces);
  for (let v = 0; v < model.numVertices; v++) {
    attrs.set(colors.subarray(v * 3, v * 3 + 3), v * 6);
    attrs.set(normals.subarray(v * 3, v * 3 + 3), v * 6 + 3);
  }
  const mesh = { positions: verts, faces: model.faces };
  const rast: RasterOutput = gpu ? await gpu.rasterize(mesh, camera) : rasterizeCpu(mesh, camera);
  const interp = gpu ? await gpu.interpolate(attrs, 6, model.faces, rast) : interpolateCpu(attrs, 6, model.faces, rast);
  // Shade in linear light over a dark vertical gradient, then antialias the silhouettes.
  const img = new Float32Array(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    if (rast.triId[p] < 0) {
      const g = Math.floor(p / size) / size;
      img.set([0.1 + 0.05 * g, 0.11 + 0.05 * g, 0.15 + 0.05 * g], p * 3);
      continue;
    }
    const n = interp.subarray(p * 6 + 3, p * 6 + 6);
    const shade = 0.25 + 0.75 * Math.max(0, (n[0] * light[0] + n[1] * light[1] + n[2] * light[2]) / (Math.hypot(n[0], n[1], n[2]) || 1));
    for (let k = 0; k < 3; k++) img[p * 3 + k] = shade * interp[p * 6 + k];
  }
  const aa = gpu ? await gpu.antialias(img, 3, rast, mesh, camera, { topology }) : antialiasCpu(img, 3, rast, mesh, camera, { topology });
  const rgba = new Uint8Array(size * size * 4);
  for (let p = 0; p < size * size; p++) {
    for (let k = 0; k < 3; k++) rgba[p * 4 + k] = Math.round(255 * Math.min(1, Math.max(0, aa[p * 3 + k])) ** (1 / 2.2));
    rgba[p * 4 + 3] = 255;
  }
  const file = `flame-${String(i).padStart(3, '0')}.png`;
  writeFileSync(join(values.out!, file), encodePng({ width: size, height: size, channels: 4, data: rgba }));
  log.push({ file, t, params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v as ArrayLike<number>)])) });
  console.log(`frame ${i + 1}/${frames}: ${file}`);
}
writeFileSync(join(values.out!, 'frames.json'), JSON.stringify({ camera: { ...camera, viewMatrix: Array.from(camera.viewMatrix) }, frames: log }, null, 1));
console.log(`wrote ${frames} frames of ${size}x${size} to ${values.out} in ${((performance.now() - t0) / 1000).toFixed(2)} s (${values.backend})`);
handle?.destroy();
