/**
 * The splat-raster examples at tiny sizes: the orbit renderer writes one non-constant PNG
 * per camera (built-in scene and a PLY round trip), and the image fit lowers its loss and
 * writes its render and loss curve.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { writePly } from '@headsplat/splat-raster';

const root = join(import.meta.dirname, '..');

function run(script: string, args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, stdio: 'pipe', encoding: 'utf8' });
}

function readRgba(file: string): { width: number; height: number; data: Uint8Array | Uint16Array; channels: number } {
  const png = decode(readFileSync(file));
  return { width: png.width, height: png.height, data: png.data as Uint8Array, channels: png.channels };
}

/** Standard deviation of the RGB values (0 for a constant image). */
function spread(data: ArrayLike<number>): number {
  const v: number[] = [];
  for (let i = 0; i < data.length; i++) if (i % 4 !== 3) v.push(data[i]);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
}

describe('render-ply-orbit example', () => {
  it('renders the built-in scene from 3 cameras: PNGs of the asked size, not constant, views differ', () => {
    const out = mkdtempSync(join(tmpdir(), 'headsplat-orbit-'));
    run('src/render-ply-orbit.ts', ['--out', out, '--frames', '3', '--size', '32', '--backend', 'cpu']);
    const files = readdirSync(out).sort();
    expect(files).toEqual(['frame-000.png', 'frame-001.png', 'frame-002.png']);
    const frames = files.map((f) => readRgba(join(out, f)));
    for (const f of frames) {
      expect([f.width, f.height, f.channels]).toEqual([32, 32, 4]);
      expect(spread(f.data)).toBeGreaterThan(8);
    }
    // The front view (eyes visible) differs from the side view.
    let diff = 0;
    for (let i = 0; i < frames[0].data.length; i++) diff += Math.abs(frames[0].data[i] - frames[1].data[i]);
    expect(diff / frames[0].data.length).toBeGreaterThan(2);
    // Centre pixel is the lit sphere (warm), corners the dark background.
    const px = (x: number, y: number) => Array.from(frames[0].data.slice((y * 32 + x) * 4, (y * 32 + x) * 4 + 3));
    const [r, , b] = px(16, 14);
    expect(r).toBeGreaterThan(b);
    expect(r).toBeGreaterThan(60);
    expect(Math.max(...px(0, 0))).toBeLessThan(40);
  });

  it('reads a PLY given with --ply', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headsplat-orbit-ply-'));
    const n = 3;
    const ply = join(dir, 'scene.ply');
    writeFileSync(
      ply,
      writePly({
        means: new Float32Array([-0.5, 0, 0, 0.5, 0, 0, 0, 0.5, 0]),
        quats: new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]),
        scales: new Float32Array(3 * n).fill(0.25),
        opacities: new Float32Array(n).fill(0.9),
        colors: new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]),
      }),
    );
    const log = run('src/render-ply-orbit.ts', ['--ply', ply, '--out', join(dir, 'out'), '--frames', '1', '--size', '24', '--backend', 'cpu']);
    expect(log).toContain(`3 Gaussians from ${ply}`);
    const f = readRgba(join(dir, 'out', 'frame-000.png'));
    expect(spread(f.data)).toBeGreaterThan(10);
  });

  it('rejects a bad --frames with a message naming the flag', () => {
    expect(() => run('src/render-ply-orbit.ts', ['--frames', 'x'])).toThrow(/--frames must be an integer in \[1, 1000\], got 'x'/);
  });
});

describe('fit-image example', () => {
  it('fits 30 Gaussians to the 24x24 test pattern in 40 steps: PSNR up >= 5 dB, outputs written', () => {
    const out = mkdtempSync(join(tmpdir(), 'headsplat-fit-'));
    run('src/fit-image.ts', ['--out', out, '--size', '24', '--gaussians', '30', '--iterations', '40', '--backend', 'cpu']);
    const summary = JSON.parse(readFileSync(join(out, 'loss.json'), 'utf8')) as { initialPsnr: number; finalPsnr: number; loss: number[] };
    expect(summary.loss).toHaveLength(40);
    expect(summary.loss[39]).toBeLessThan(summary.loss[0]);
    expect(summary.finalPsnr - summary.initialPsnr).toBeGreaterThan(5);
    const fit = readRgba(join(out, 'fit.png'));
    const target = readRgba(join(out, 'target.png'));
    expect([fit.width, fit.height]).toEqual([24, 24]);
    expect(spread(fit.data)).toBeGreaterThan(20);
    // The render is closer to the target than a flat grey image is.
    let err = 0;
    let flat = 0;
    for (let i = 0; i < fit.data.length; i++) {
      if (i % 4 === 3) continue;
      err += (fit.data[i] - target.data[i]) ** 2;
      flat += (128 - target.data[i]) ** 2;
    }
    expect(err).toBeLessThan(0.25 * flat);
    const curve = readRgba(join(out, 'loss.png'));
    expect([curve.width, curve.height]).toEqual([320, 160]);
    // The curve colour (light blue) is drawn.
    let curvePixels = 0;
    for (let p = 0; p < 320 * 160; p++) if (curve.data[4 * p] === 90 && curve.data[4 * p + 1] === 200) curvePixels++;
    expect(curvePixels).toBeGreaterThan(100);
  });
});
