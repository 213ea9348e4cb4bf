/**
 * Fits Gaussians to an image with `fitGaussians` (Adam on typed arrays, no tensor library).
 *   pnpm --filter @headsplat/examples run fit-image [-- --image photo.png --size 64 --gaussians 300 --iterations 300 --out out/fit-image]
 * Without --image a test pattern is generated (colour gradient, disc, ring and bars).
 * Writes target.png, fit.png, loss.png (PSNR curve) and loss.json to --out.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decode, encode } from 'fast-png';
import * as splat from '@headsplat/splat-raster';
import { type Camera, fitGaussians, psnrFromMse } from '@headsplat/splat-raster';
import { scriptArgs } from './argv.js';

const { values } = parseArgs({
  args: scriptArgs(),
  options: {
    image: { type: 'string' },
    size: { type: 'string', default: '64' },
    gaussians: { type: 'string', default: '300' },
    iterations: { type: 'string', default: '300' },
    lr: { type: 'string', default: '1' },
    seed: { type: 'string', default: '0' },
    backend: { type: 'string', default: 'auto' },
    out: { type: 'string', default: 'out/fit-image' },
  },
});

function intFlag(name: string, raw: string | undefined, lo: number, hi: number): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`--${name} must be an integer in [${lo}, ${hi}], got '${raw}'`);
  return v;
}
const size = intFlag('size', values.size, 8, 1024);
const count = intFlag('gaussians', values.gaussians, 1, 1_000_000);
const iterations = intFlag('iterations', values.iterations, 1, 1_000_000);
const seed = intFlag('seed', values.seed, 0, 2 ** 31);
const lr = Number(values.lr);
if (!(lr > 0)) throw new Error(`--lr must be a positive multiplier of the default rates, got '${values.lr}'`);
if (!['auto', 'cpu', 'webgpu'].includes(values.backend!)) throw new Error(`--backend must be auto, cpu or webgpu, got '${values.backend}'`);

/** A smooth gradient with a disc, a ring and three bars: edges, flat areas and colour ramps. */
function testPattern(w: number, h: number): Float32Array {
  const img = new Float32Array(3 * w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = (x + 0.5) / w;
      const v = (y + 0.5) / h;
      let c = [0.15 + 0.5 * u, 0.2 + 0.3 * v, 0.6 - 0.4 * u];
      const r = Math.hypot(u - 0.35, v - 0.4);
      if (r < 0.18) c = [0.95, 0.8, 0.2];
      else if (Math.abs(Math.hypot(u - 0.7, v - 0.65) - 0.16) < 0.04) c = [0.9, 0.2, 0.3];
      if (v > 0.82 && u > 0.1 && u < 0.9 && Math.floor(u * 6) % 2 === 0) c = [0.05, 0.05, 0.08];
      img.set(c, 3 * (y * w + x));
    }
  }
  return img;
}

/** PNG -> (H, W, 3) floats in [0, 1]; grey is replicated, alpha dropped. */
function readImage(file: string): { rgb: Float32Array; width: number; height: number } {
  const png = decode(readFileSync(file));
  const max = png.depth === 16 ? 65535 : 255;
  const { width, height, channels } = png;
  const rgb = new Float32Array(3 * width * height);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgb[3 * p + c] = png.data[p * channels + (channels >= 3 ? c : 0)] / max;
  }
  return { rgb, width, height };
}

/** Nearest-neighbour resize so that the longer side is `size` (keeps the fit fast). */
function resize(img: { rgb: Float32Array; width: number; height: number }, size: number) {
  const s = size / Math.max(img.width, img.height);
  const width = Math.max(1, Math.round(img.width * s));
  const height = Math.max(1, Math.round(img.height * s));
  const rgb = new Float32Array(3 * width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = Math.min(img.width - 1, Math.floor((x + 0.5) / s));
      const sy = Math.min(img.height - 1, Math.floor((y + 0.5) / s));
      for (let c = 0; c < 3; c++) rgb[3 * (y * width + x) + c] = img.rgb[3 * (sy * img.width + sx) + c];
    }
  }
  return { rgb, width, height };
}

function toRgba(rgb: ArrayLike<number>, w: number, h: number): Uint8Array {
  const out = new Uint8Array(4 * w * h);
  for (let p = 0; p < w * h; p++) {
    for (let c = 0; c < 3; c++) out[4 * p + c] = Math.round(255 * Math.min(1, Math.max(0, rgb[3 * p + c])));
    out[4 * p + 3] = 255;
  }
  return out;
}

/** PSNR per step drawn as a line on a dark plot with a faint 5 dB grid (RGBA, w x h). */
function drawCurve(psnr: number[], w: number, h: number): Uint8Array {
  const img = new Uint8Array(4 * w * h);
  const set = (x: number, y: number, c: number[]) => {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    img.set(c, 4 * (y * w + x));
  };
  for (let p = 0; p < w * h; p++) img.set([18, 20, 26, 255], 4 * p);
  const pad = 8;
  const lo = Math.floor(Math.min(...psnr) / 5) * 5;
  const hi = Math.ceil(Math.max(...psnr) / 5) * 5 || lo + 5;
  const toY = (db: number) => Math.round(h - pad - ((db - lo) / Math.max(hi - lo, 1e-9)) * (h - 2 * pad));
  for (let db = lo; db <= hi; db += 5) for (let x = pad; x < w - pad; x++) set(x, toY(db), [50, 55, 66, 255]);
  for (let y = pad; y < h - pad; y++) set(pad, y, [120, 120, 130, 255]);
  for (let x = pad; x < w - pad; x++) set(x, h - pad, [120, 120, 130, 255]);
  let prev: [number, number] | undefined;
  psnr.forEach((db, i) => {
    const x = Math.round(pad + (i / Math.max(psnr.length - 1, 1)) * (w - 2 * pad));
    const y = toY(db);
    // Vertical run between consecutive points so the line has no gaps.
    const [px, py] = prev ?? [x, y];
    for (let xx = px; xx <= x; xx++) {
      const y0 = Math.min(py, y);
      const y1 = Math.max(py, y);
      for (let yy = y0; yy <= y1; yy++) { set(xx, yy, [90, 200, 255, 255]); set(xx, yy + 1, [90, 200, 255, 255]); }
    }
    prev = [x, y];
  });
  return img;
}

async function pickBackend(): Promise<{ backend: 'cpu' | 'webgpu'; device?: GPUDevice; close(): void }> {
  if (values.backend === 'cpu') return { backend: 'cpu', close() {} };
  // Builds of splat-raster without the WebGPU rasterizer: no need to open a device.
  if (values.backend === 'auto' && !('renderWebGPU' in splat)) return { backend: 'cpu', close() {} };
  try {
    const { getDevice } = await import('@headsplat/gpu');
    const gpu = await getDevice();
    // Probe: fitGaussians throws at once when this build has no WebGPU rasterizer.
    await fitGaussians({ target: new Float32Array(3 * 4), camera: { viewMatrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], fx: 2, fy: 2, cx: 1, cy: 1, width: 2, height: 2 }, count: 1, iterations: 1, backend: 'webgpu', device: gpu.device });
    return { backend: 'webgpu', device: gpu.device, close: () => gpu.destroy() };
  } catch (e) {
    if (values.backend === 'webgpu') throw e;
    return { backend: 'cpu', close() {} };
  }
}

const target = values.image ? resize(readImage(values.image), size) : { rgb: testPattern(size, size), width: size, height: size };
const { width, height } = target;
// A pinhole camera at the origin looking down +z; Gaussians start at depth 1.
const camera: Camera = { viewMatrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], fx: width, fy: width, cx: width / 2, cy: height / 2, width, height };
const be = await pickBackend();
console.log(`fitting ${count} Gaussians to ${values.image ?? 'a test pattern'} (${width}x${height}), ${iterations} steps on ${be.backend}`);

// One-line progress bar on a terminal; a plain line every 10 % when piped (logs, tests).
const tty = process.stdout.isTTY === true;
const barWidth = 30;
let lastDraw = 0;
const res = await fitGaussians({
  target: target.rgb,
  camera,
  count,
  initOptions: { seed, depth: 1 },
  iterations,
  lr,
  backend: be.backend,
  device: be.device,
  onStep: ({ iteration, psnr, elapsedMs }) => {
    const done = iteration + 1;
    const status = `${done}/${iterations} PSNR ${psnr.toFixed(2)} dB ${(done / (elapsedMs / 1000)).toFixed(1)} it/s`;
    if (!tty) {
      if (done === iterations || Math.floor((10 * done) / iterations) > Math.floor((10 * iteration) / iterations)) console.log(status);
      return;
    }
    if (done !== iterations && elapsedMs - lastDraw < 100) return;
    lastDraw = elapsedMs;
    const filled = Math.round((barWidth * done) / iterations);
    process.stdout.write(`\r[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${status}`);
  },
}).finally(() => be.close());
if (tty) process.stdout.write('\n');

mkdirSync(values.out!, { recursive: true });
const psnr = res.lossHistory.map(psnrFromMse);
writeFileSync(join(values.out!, 'target.png'), encode({ width, height, data: toRgba(target.rgb, width, height), channels: 4 }));
writeFileSync(join(values.out!, 'fit.png'), encode({ width, height, data: toRgba(res.render, width, height), channels: 4 }));
writeFileSync(join(values.out!, 'loss.png'), encode({ width: 320, height: 160, data: drawCurve(psnr, 320, 160), channels: 4 }));
writeFileSync(
  join(values.out!, 'loss.json'),
  JSON.stringify({ initialPsnr: res.initialPsnr, finalPsnr: res.finalPsnr, finalLoss: res.finalLoss, seconds: res.elapsedMs / 1000, loss: res.lossHistory }),
);
console.log(`PSNR ${res.initialPsnr.toFixed(2)} -> ${res.finalPsnr.toFixed(2)} dB in ${(res.elapsedMs / 1000).toFixed(1)} s; wrote target.png, fit.png, loss.png, loss.json to ${values.out}`);
