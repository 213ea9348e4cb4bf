/**
 * Renders an orbit of cameras around a Gaussian splat scene to PNGs.
 *   pnpm --filter @headsplat/examples run render-ply [-- --ply scene.ply --out out/orbit --frames 12 --size 256 --backend auto]
 * Without --ply a built-in scene is generated (a shaded sphere of Gaussians with two
 * "eyes"). Cameras look at the scene centre from a circle in the world's x-z plane, with
 * the OpenCV convention (y down), as 3DGS captures use. --backend auto uses WebGPU when the
 * splat-raster WebGPU rasterizer and an adapter are available, else the CPU reference.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encode } from 'fast-png';
import * as splat from '@headsplat/splat-raster';
import type { Camera, GaussianScene, RenderOptions } from '@headsplat/splat-raster';
import { scriptArgs } from './argv.js';

const { values } = parseArgs({
  args: scriptArgs(),
  options: {
    ply: { type: 'string' },
    out: { type: 'string', default: 'out/orbit' },
    frames: { type: 'string', default: '12' },
    size: { type: 'string', default: '256' },
    backend: { type: 'string', default: 'auto' },
    distance: { type: 'string' },
  },
});

function intFlag(name: string, raw: string | undefined, lo: number, hi: number): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`--${name} must be an integer in [${lo}, ${hi}], got '${raw}'`);
  return v;
}
const frames = intFlag('frames', values.frames, 1, 1000);
const size = intFlag('size', values.size, 8, 4096);
const backendFlag = values.backend!;
if (!['auto', 'cpu', 'webgpu'].includes(backendFlag)) throw new Error(`--backend must be auto, cpu or webgpu, got '${backendFlag}'`);

/** A sphere of Gaussians on a Fibonacci lattice, coloured by a fixed light, plus two dark eyes. */
function generatedScene(): GaussianScene {
  const n = 600;
  const eyes = [[-0.35, -0.2, -0.9], [0.35, -0.2, -0.9]];
  const total = n + eyes.length;
  const means = new Float32Array(3 * total);
  const colors = new Float32Array(3 * total);
  const light = [-0.4, -0.7, -0.6];
  const ln = Math.hypot(light[0], light[1], light[2]);
  const golden = Math.PI * (3 - Math.sqrt(5));
  for (let i = 0; i < n; i++) {
    const y = 1 - (2 * (i + 0.5)) / n;
    const r = Math.sqrt(1 - y * y);
    const p = [Math.cos(golden * i) * r, y, Math.sin(golden * i) * r];
    means.set(p, 3 * i);
    const lambert = Math.max(0, (p[0] * light[0] + p[1] * light[1] + p[2] * light[2]) / ln);
    const shade = 0.25 + 0.75 * lambert;
    colors.set([0.9 * shade, 0.65 * shade, 0.5 * shade + 0.1 * (1 - shade)], 3 * i);
  }
  eyes.forEach((e, k) => {
    const len = Math.hypot(e[0], e[1], e[2]);
    means.set(e.map((c) => (c / len) * 1.02), 3 * (n + k));
    colors.set([0.08, 0.06, 0.05], 3 * (n + k));
  });
  const scales = new Float32Array(3 * total).fill(0.09);
  for (let k = 0; k < eyes.length; k++) scales.fill(0.1, 3 * (n + k), 3 * (n + k) + 3);
  const quats = new Float32Array(4 * total);
  for (let i = 0; i < total; i++) quats[4 * i] = 1;
  return { means, quats, scales, opacities: new Float32Array(total).fill(0.9), colors };
}

/** Centre and radius (90th percentile of distances) of the Gaussian means. */
function bounds(means: ArrayLike<number>): { centre: number[]; radius: number } {
  const n = means.length / 3;
  const centre = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) centre[a] += means[3 * i + a] / n;
  const d = Float64Array.from({ length: n }, (_, i) => Math.hypot(means[3 * i] - centre[0], means[3 * i + 1] - centre[1], means[3 * i + 2] - centre[2]));
  d.sort();
  return { centre, radius: d[Math.floor(0.9 * (n - 1))] || 1 };
}

/** World-to-camera (column-major) for a camera at `eye` looking at `at`, y down (OpenCV). */
function lookAt(eye: number[], at: number[]): Float32Array {
  const sub = (a: number[], b: number[]) => a.map((v, i) => v - b[i]);
  const norm = (a: number[]) => a.map((v) => v / Math.hypot(a[0], a[1], a[2]));
  const cross = (a: number[], b: number[]) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const f = norm(sub(at, eye));
  const x = norm(cross([0, 1, 0], f));
  const y = cross(f, x);
  const m = new Float32Array(16);
  [x, y, f].forEach((row, r) => {
    for (let c = 0; c < 3; c++) m[c * 4 + r] = row[c];
    m[12 + r] = -(row[0] * eye[0] + row[1] * eye[1] + row[2] * eye[2]);
  });
  m[15] = 1;
  return m;
}

function toRgba(rgb: ArrayLike<number>, w: number, h: number): Uint8Array {
  const out = new Uint8Array(4 * w * h);
  for (let p = 0; p < w * h; p++) {
    for (let c = 0; c < 3; c++) out[4 * p + c] = Math.round(255 * Math.min(1, Math.max(0, rgb[3 * p + c])));
    out[4 * p + 3] = 255;
  }
  return out;
}

type Renderer = (scene: GaussianScene, camera: Camera, opts: RenderOptions) => Promise<ArrayLike<number>>;

/** The WebGPU rasterizer's convenience entry, when this build of splat-raster has it. */
type RenderWebGPU = (device: GPUDevice, scene: GaussianScene, camera: Camera, opts?: RenderOptions & { keepState?: boolean }) => Promise<{ output: { rgb: Float32Array } }>;

async function pickRenderer(): Promise<{ render: Renderer; name: string; close(): void }> {
  const cpu = { render: async (s: GaussianScene, c: Camera, o: RenderOptions) => splat.renderCpu(s, c, o).output.rgb, name: 'cpu (reference)', close() {} };
  if (backendFlag === 'cpu') return cpu;
  const renderWebGPU = (splat as unknown as { renderWebGPU?: RenderWebGPU }).renderWebGPU;
  if (!renderWebGPU) {
    if (backendFlag === 'webgpu') throw new Error('--backend webgpu: this build of @headsplat/splat-raster has no WebGPU rasterizer (renderWebGPU) yet');
    return cpu;
  }
  try {
    const { getDevice } = await import('@headsplat/gpu');
    const gpu = await getDevice();
    return { render: async (s, c, o) => (await renderWebGPU(gpu.device, s, c, { ...o, keepState: false })).output.rgb, name: `webgpu (${gpu.description})`, close: () => gpu.destroy() };
  } catch (e) {
    if (backendFlag === 'webgpu') throw e;
    return cpu;
  }
}

const t0 = performance.now();
const scene = values.ply ? splat.readPly(new Uint8Array(readFileSync(values.ply))).scene : generatedScene();
const { centre, radius } = bounds(scene.means);
const distance = values.distance !== undefined ? Number(values.distance) : 3 * radius;
if (!(distance > 0)) throw new Error(`--distance must be a positive number, got '${values.distance}'`);
const renderer = await pickRenderer();
console.log(`${scene.means.length / 3} Gaussians${values.ply ? ` from ${values.ply}` : ' (generated)'}; ${frames} frames of ${size}x${size} on ${renderer.name}`);
mkdirSync(values.out!, { recursive: true });
const focal = size / (2 * Math.tan((50 * Math.PI) / 360)); // 50 degree field of view
try {
  for (let k = 0; k < frames; k++) {
    const angle = (2 * Math.PI * k) / frames;
    // Orbit in the x-z plane, starting in front of the scene (-z side, facing +z).
    const eye = [centre[0] + distance * Math.sin(angle), centre[1], centre[2] - distance * Math.cos(angle)];
    const camera: Camera = { viewMatrix: lookAt(eye, centre), fx: focal, fy: focal, cx: size / 2, cy: size / 2, width: size, height: size };
    const rgb = await renderer.render(scene, camera, { background: [0.08, 0.09, 0.12] });
    const file = join(values.out!, `frame-${String(k).padStart(3, '0')}.png`);
    writeFileSync(file, encode({ width: size, height: size, data: toRgba(rgb, size, size), channels: 4 }));
  }
} finally {
  renderer.close();
}
console.log(`wrote ${frames} frames to ${values.out} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
