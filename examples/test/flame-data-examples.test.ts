/**
 * The flame and data examples at tiny sizes: flame-animate renders a head that moves (jaw
 * open vs neutral differs at the mouth, not on the forehead), synth-captures writes a contact
 * sheet of heads on the white background.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng } from '@headsplat/core';
import { createSyntheticFlame, flameForwardCpu } from '@headsplat/flame';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const run = (script: string, args: string[]): string => execFileSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, stdio: 'pipe', encoding: 'utf8' });

interface Cam { viewMatrix: number[]; fx: number; fy: number; cx: number; cy: number }
function project(c: Cam, p: ArrayLike<number>): [number, number] {
  const m = c.viewMatrix;
  const x = m[0] * p[0] + m[4] * p[1] + m[8] * p[2] + m[12], y = m[1] * p[0] + m[5] * p[1] + m[9] * p[2] + m[13], z = m[2] * p[0] + m[6] * p[1] + m[10] * p[2] + m[14];
  return [(c.fx * x) / z + c.cx, (c.fy * y) / z + c.cy];
}

describe('flame-animate example', () => {
  it('renders the synthetic head with mesh-raster: a head-sized foreground, and the jaw-open frame differs from neutral at the mouth only', () => {
    const out = mkdtempSync(join(tmpdir(), 'headsplat-flame-'));
    const S = 64;
    run('src/flame-animate.ts', ['--out', out, '--size', String(S), '--frames', '8']);
    expect(readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(8);
    const log = JSON.parse(readFileSync(join(out, 'frames.json'), 'utf8')) as { camera: Cam; frames: { file: string; params: Record<string, number[]> }[] };
    const img = (i: number) => decodePng(readFileSync(join(out, log.frames[i].file))).data as Uint8Array;
    // Foreground: pixels away from the dark blue-grey background gradient.
    const isBg = (d: Uint8Array, p: number) => d[p * 4] < 100 && d[p * 4 + 2] >= d[p * 4] && Math.abs(d[p * 4 + 2] - d[p * 4 + 1]) < 30;
    for (let i = 0; i < 8; i++) {
      const d = img(i);
      let fg = 0;
      for (let p = 0; p < S * S; p++) if (!isBg(d, p)) fg++;
      expect(fg / (S * S)).toBeGreaterThan(0.25);
      expect(fg / (S * S)).toBeLessThan(0.8);
    }
    const jaw = log.frames.map((f) => f.params.jawPose[0]);
    const open = jaw.indexOf(Math.max(...jaw));
    expect(jaw[0]).toBe(0);
    expect(jaw[open]).toBeGreaterThan(0.2);
    const model = createSyntheticFlame({ seed: 0 });
    const lm = flameForwardCpu(model, log.frames[0].params).landmarks;
    const at = (k: number) => [0, 1, 2].map((c) => lm[k * 3 + c]);
    // Box from the inner lips down to the chin (iBUG 62 / 8), and a box of the same size on the forehead.
    const [lu, lv] = project(log.camera, at(62));
    const [, cv] = project(log.camera, at(8));
    const h = Math.max(3, Math.round(cv - lv));
    const [fu, fv] = project(log.camera, at(27).map((v, c) => v + [0, 0.04, 0][c]));
    const [a, b] = [img(0), img(open)];
    const boxDiff = (u: number, v0: number) => {
      let d = 0, n = 0;
      for (let y = Math.round(v0); y < Math.round(v0) + h; y++) for (let x = Math.round(u) - 3; x <= Math.round(u) + 3; x++) for (let k = 0; k < 3; k++, n++) d += Math.abs(a[(y * S + x) * 4 + k] - b[(y * S + x) * 4 + k]);
      return d / n;
    };
    expect(isBg(a, Math.round(fv) * S + Math.round(fu))).toBe(false); // the forehead box is on the head
    const mouth = boxDiff(lu, lv), brow = boxDiff(fu, fv);
    console.log(`[examples] flame-animate: mean |d| jaw-open vs neutral ${mouth.toFixed(1)} (mouth-chin box) vs ${brow.toFixed(1)} (forehead box) of 255`);
    expect(mouth).toBeGreaterThan(10);
    expect(brow).toBeLessThan(2);
  });

  it('rejects a bad --backend naming the flag', () => {
    expect(() => run('src/flame-animate.ts', ['--backend', 'gl'])).toThrow(/--backend must be 'cpu' or 'webgpu', got 'gl'/);
  });
});

describe('synth-captures example', () => {
  it('writes a contact sheet of identities x expressions x views: heads on white, different between identities', () => {
    const out = mkdtempSync(join(tmpdir(), 'headsplat-synth-'));
    const S = 32;
    const stdout = run('src/synth-captures.ts', ['--out', out, '--identities', '2', '--expressions', '2', '--views', '2', '--size', String(S), '--dataset']);
    expect(stdout).toMatch(/synthesised 8 frames of 32x32/);
    const png = decodePng(readFileSync(join(out, 'contact-sheet.png')));
    const W = 2 * 2 * S + 4, H = 2 * S + 4;
    expect([png.width, png.height, png.channels]).toEqual([W, H, 3]);
    const d = png.data as Uint8Array;
    const tile = (row: number, col: number) => {
      const x0 = Math.floor(col / 2) * (2 * S + 4) + (col % 2) * S, y0 = row * (S + 4);
      let fg = 0, r = 0, g = 0, b = 0;
      for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
        const o = ((y0 + y) * W + x0 + x) * 3;
        if (d[o] === 255 && d[o + 1] === 255 && d[o + 2] === 255) continue;
        fg++; r += d[o]; g += d[o + 1]; b += d[o + 2];
      }
      return { fg: fg / (S * S), mean: [r / fg, g / fg, b / fg], corner: Array.from(d.subarray((y0 * W + x0) * 3, (y0 * W + x0) * 3 + 3)) };
    };
    for (let row = 0; row < 2; row++) for (let col = 0; col < 4; col++) {
      const t = tile(row, col);
      expect(t.fg).toBeGreaterThan(0.2);
      expect(t.fg).toBeLessThan(0.8);
      expect(t.corner).toEqual([255, 255, 255]);
    }
    // Gutters are grey; the two identities differ in colour.
    expect(Array.from(d.subarray((S + 1) * W * 3, (S + 1) * W * 3 + 3))).toEqual([90, 90, 90]);
    const [m0, m1] = [tile(0, 0).mean, tile(1, 0).mean];
    expect(Math.max(...m0.map((v, k) => Math.abs(v - m1[k])))).toBeGreaterThan(5);
    expect(readdirSync(join(out, 'dataset'))).toEqual(expect.arrayContaining(['transforms.json', 'images', 'fg_masks', 'flame_param']));
  });
});
