/**
 * Animates the synthetic FLAME-format head through jaw, expression and head pose and renders
 * each frame with a small CPU rasterizer to PNGs.
 *   pnpm --filter @headsplat/examples flame [--out out/flame --size 256 --frames 12]
 * (imports the flame package by path until examples/package.json lists @headsplat/flame)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encode } from 'fast-png';
import { createSyntheticFlame, flameForwardCpu, SYNTHETIC_EXPRESSIONS, vertexNormals, type FlameFrameParams } from '../../packages/flame/src/index.js';
import { rasterize } from './flame-software-raster.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'out/flame' },
    size: { type: 'string', default: '256' },
    frames: { type: 'string', default: '12' },
  },
});
const size = Number(values.size);
const frames = Number(values.frames);
if (!Number.isInteger(size) || size < 16 || size > 4096) throw new Error(`--size must be an integer in [16, 4096], got '${values.size}'`);
if (!Number.isInteger(frames) || frames < 1 || frames > 1000) throw new Error(`--frames must be an integer in [1, 1000], got '${values.frames}'`);

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

mkdirSync(values.out!, { recursive: true });
const t0 = performance.now();
for (let i = 0; i < frames; i++) {
  const t = frames === 1 ? 0.15 : i / frames;
  const out = flameForwardCpu(model, paramsAt(t));
  const img = rasterize(
    { positions: out.vertices, normals: vertexNormals(out.vertices, model.faces), colors, faces: model.faces },
    { width: size, height: size, focal: size * 2.6, distance: 0.65, target: [0, -0.025, 0.01], yaw: 0.35 },
  );
  const file = join(values.out!, `flame-${String(i).padStart(3, '0')}.png`);
  writeFileSync(file, encode({ width: size, height: size, data: img, channels: 4, depth: 8 }));
}
console.log(`wrote ${frames} frames of ${size}x${size} to ${values.out} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
