import { describe, expect, it } from 'vitest';
import { antialiasCpu, interpolateCpu, rasterizeCpu, textureCpu } from '../src/cpu/index.js';
import { icosphere } from '../src/primitives.js';
import { MeshRasterInputError } from '../src/validate.js';
import { camera, orbitView } from './util.js';

describe('rasterizeCpu', () => {
  it('covers exactly the pixel centres inside a screen-aligned triangle, with its depth', () => {
    // Triangle at z = 2 spanning screen x in [2, 10], y in [2, 10] (right angle at top-left).
    const cam = camera(12, 12, orbitView(0, 0, 0), 8);
    const z = 2;
    const toWorld = (u: number, v: number): number[] => [((u - 6) / 8) * z, ((v - 6) / 8) * z, z];
    const mesh = { positions: Float64Array.from([...toWorld(2, 2), ...toWorld(10, 2), ...toWorld(2, 10)]), faces: Uint32Array.of(0, 1, 2) };
    const r = rasterizeCpu(mesh, cam);
    let covered = 0;
    for (let y = 0; y < 12; y++) {
      for (let x = 0; x < 12; x++) {
        const px = x + 0.5, py = y + 0.5;
        const inside = px >= 2 && py >= 2 && px + py <= 12;
        expect(r.triId[y * 12 + x]).toBe(inside ? 0 : -1);
        if (inside) {
          covered++;
          expect(r.depth[y * 12 + x]).toBeCloseTo(2, 12);
        } else expect(r.depth[y * 12 + x]).toBe(0);
      }
    }
    expect(covered).toBe(36);
  });

  it('gives perspective-correct barycentrics: the interpolated position lies on the pixel ray', () => {
    const cam = camera(16, 16, orbitView(0.3, -0.2, 3));
    const mesh = { positions: Float64Array.of(-1, -0.8, 0.5, 1.2, -0.5, -0.6, 0.1, 1, 0.2), faces: Int32Array.of(0, 1, 2) };
    const r = rasterizeCpu(mesh, cam);
    const vm = cam.viewMatrix;
    let n = 0;
    for (let p = 0; p < 256; p++) {
      if (r.triId[p] < 0) continue;
      n++;
      const u = r.bary[2 * p], v = r.bary[2 * p + 1], w = 1 - u - v;
      const world = [0, 1, 2].map((k) => u * mesh.positions[k] + v * mesh.positions[3 + k] + w * mesh.positions[6 + k]);
      const pc = [0, 1, 2].map((row) => vm[row] * world[0] + vm[4 + row] * world[1] + vm[8 + row] * world[2] + vm[12 + row]);
      expect(pc[2]).toBeCloseTo(r.depth[p], 10);
      expect((cam.fx * pc[0]) / pc[2] + cam.cx).toBeCloseTo((p % 16) + 0.5, 9);
      expect((cam.fy * pc[1]) / pc[2] + cam.cy).toBeCloseTo(Math.floor(p / 16) + 0.5, 9);
    }
    expect(n).toBeGreaterThan(30);
  });

  it('keeps the nearer of two overlapping triangles and drops those behind the near plane', () => {
    const cam = camera(8, 8, orbitView(0, 0, 0), 8);
    const quad = (z: number): number[] => [-z, -z, z, z, -z, z, 0, z, z];
    const mesh = { positions: Float64Array.from([...quad(3), ...quad(2), ...quad(-1)]), faces: Uint32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8) };
    const r = rasterizeCpu(mesh, cam);
    expect(r.triId[4 * 8 + 4]).toBe(1);
    expect(r.depth[4 * 8 + 4]).toBeCloseTo(2, 12);
    expect(Array.from(r.triId).includes(2)).toBe(false);
  });

  it('renders a sphere as a disc of the projected radius', () => {
    const cam = camera(64, 64, orbitView(0.4, 0.2, 4), 64);
    const r = rasterizeCpu(icosphere(3), cam);
    const covered = r.triId.reduce((s, id) => s + (id >= 0 ? 1 : 0), 0);
    // Silhouette radius of a unit sphere at distance 4: f * tan(asin(1/4)) = 64 / sqrt(15).
    const rad = 64 / Math.sqrt(15);
    expect(Math.abs(covered - Math.PI * rad * rad) / (Math.PI * rad * rad)).toBeLessThan(0.03);
  });

  it('names the argument in errors', () => {
    const cam = camera(4, 4);
    expect(() => rasterizeCpu({ positions: new Float64Array(9), faces: Uint32Array.of(0, 1, 3) }, cam)).toThrow(MeshRasterInputError);
    expect(() => rasterizeCpu({ positions: new Float64Array(9), faces: Uint32Array.of(0, 1, 3) }, cam)).toThrow(
      'rasterizeCpu: mesh.faces: expected indices in [0, V) = [0, 3), got 3 at index 2',
    );
    expect(() => rasterizeCpu({ positions: new Float64Array(8), faces: Uint32Array.of(0, 1, 2) }, cam)).toThrow(/mesh.positions/);
    expect(() => rasterizeCpu({ positions: new Float64Array(9), faces: Uint32Array.of(0, 1, 2) }, { ...cam, fx: -1 })).toThrow(/camera.fx/);
  });
});

describe('interpolateCpu / textureCpu / antialiasCpu', () => {
  it('interpolates positions to the rasterised surface points and gives 0 on background', () => {
    const cam = camera(16, 16, orbitView(0.2, 0.1, 3));
    const mesh = icosphere(1);
    const r = rasterizeCpu(mesh, cam);
    const out = interpolateCpu(mesh.positions, 3, mesh.faces, r);
    for (let p = 0; p < 256; p++) {
      const n = Math.hypot(out[3 * p], out[3 * p + 1], out[3 * p + 2]);
      if (r.triId[p] < 0) expect(n).toBe(0);
      else expect(n).toBeGreaterThan(0.88);
    }
  });

  it('samples texel centres exactly and blends halfway between them, wrapping or clamping', () => {
    const tex = { data: Float64Array.of(0, 10, 20, 30), width: 2, height: 2, channels: 1 };
    const out = textureCpu(tex, Float64Array.of(0.25, 0.25, 0.75, 0.75, 0.5, 0.25, 0, 0.25), { wrap: 'wrap' });
    expect(Array.from(out)).toEqual([0, 30, 5, 5]);
    const clamped = textureCpu(tex, Float64Array.of(0, 0.25, 1, 0.75), { wrap: 'clamp' });
    expect(Array.from(clamped)).toEqual([0, 30]);
  });

  it('blends a silhouette pixel pair by the edge position and leaves interior pixels alone', () => {
    // A vertical edge at screen x = 4.8: pixel 4 (centre 4.5) is covered, pixel 5 is not.
    const cam = camera(8, 8, orbitView(0, 0, 0), 8);
    const z = 2;
    const toWorld = (u: number, v: number): number[] => [((u - 4) / 8) * z, ((v - 4) / 8) * z, z];
    const mesh = { positions: Float64Array.from([...toWorld(-10, -10), ...toWorld(4.8, -10), ...toWorld(4.8, 30)]), faces: Uint32Array.of(0, 1, 2) };
    const r = rasterizeCpu(mesh, cam);
    const color = Float64Array.from(r.triId, (id) => (id >= 0 ? 1 : 0));
    const out = antialiasCpu(color, 1, r, mesh, cam);
    const row = 6;
    expect(r.triId[row * 8 + 4]).toBe(0);
    expect(r.triId[row * 8 + 5]).toBe(-1);
    // t = 0.3 from pixel 4's centre: pixel 4 keeps 0.5 + 0.3 of its colour.
    expect(out[row * 8 + 4]).toBeCloseTo(0.8, 12);
    expect(out[row * 8 + 5]).toBe(0);
    expect(out[row * 8 + 2]).toBe(1);
  });
});
