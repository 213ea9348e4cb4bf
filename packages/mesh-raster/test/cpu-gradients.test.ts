/**
 * Analytic gradients of the CPU reference against central finite differences (float64,
 * h = 1e-6) of <random upstream, output>. Rasterisation is piecewise constant in face
 * ids, so the scenes are checked to keep every id fixed under the perturbations.
 */

import { describe, expect, it } from 'vitest';
import {
  antialiasBackwardCpu,
  antialiasCpu,
  interpolateBackwardCpu,
  interpolateCpu,
  rasterizeBackwardCpu,
  rasterizeCpu,
  textureBackwardCpu,
  textureCpu,
} from '../src/cpu/index.js';
import { icosphere, transformMesh } from '../src/primitives.js';
import { buildEdgeTopology } from '../src/topology.js';
import type { Mesh } from '../src/types.js';
import { camera, dot, finiteDiff, makeRng, orbitView, randomArray, relativeMaxError } from './util.js';

function jitter(mesh: Mesh, rng: () => number, amount: number): { positions: Float64Array; faces: Uint32Array | Int32Array } {
  const p = Float64Array.from(mesh.positions, (x) => x + (rng() - 0.5) * amount);
  return { positions: p, faces: mesh.faces };
}

describe('CPU gradients vs central finite differences', () => {
  it('rasterize: barycentrics and depth w.r.t. positions (rel 1e-6)', () => {
    const rng = makeRng(1);
    const mesh = jitter(icosphere(1), rng, 0.2);
    const cam = camera(24, 20, orbitView(0.3, -0.2, 3.2), 22);
    const r0 = rasterizeCpu(mesh, cam);
    const gB = randomArray(rng, r0.bary.length, -1, 1);
    const gZ = randomArray(rng, r0.depth.length, -1, 1);
    const analytic = rasterizeBackwardCpu(mesh, cam, r0, { bary: gB, depth: gZ });
    const ids = Array.from(r0.triId);
    const fd = finiteDiff(mesh.positions, () => {
      const r = rasterizeCpu(mesh, cam);
      expect(Array.from(r.triId)).toEqual(ids);
      return dot(gB, r.bary) + dot(gZ, r.depth);
    });
    expect(relativeMaxError(analytic, fd)).toBeLessThan(1e-6);
    expect(Math.max(...analytic.map(Math.abs))).toBeGreaterThan(0.1);
  });

  it('interpolate: 35 channels w.r.t. attributes and, through the rasterizer, positions (rel 1e-6)', () => {
    const rng = makeRng(2);
    const mesh = jitter(icosphere(1), rng, 0.2);
    const cam = camera(20, 20, orbitView(-0.5, 0.3, 3), 20);
    const C = 35;
    const V = mesh.positions.length / 3;
    const attr = randomArray(rng, V * C, -1, 1);
    const r0 = rasterizeCpu(mesh, cam);
    const g = randomArray(rng, 400 * C, -1, 1);
    const gi = interpolateBackwardCpu(attr, C, mesh.faces, r0, g);
    const gPos = rasterizeBackwardCpu(mesh, cam, r0, { bary: gi.bary });
    const loss = (): number => dot(g, interpolateCpu(attr, C, mesh.faces, rasterizeCpu(mesh, cam)));
    expect(relativeMaxError(gi.attributes, finiteDiff(attr, loss))).toBeLessThan(1e-6);
    expect(relativeMaxError(gPos, finiteDiff(mesh.positions, loss))).toBeLessThan(1e-6);
  });

  it('antialias: colour and positions through rasterize + interpolate + antialias (rel 1e-6)', () => {
    const rng = makeRng(3);
    // Two overlapping shapes so that silhouettes against background and against another object both occur.
    const a = jitter(transformMesh(icosphere(1), [0.8, 0.6, 0.7], [-0.3, 0, 0]), rng, 0.1);
    const b = transformMesh(icosphere(0), [0.6, 0.9, 0.6], [0.5, 0.2, 0.8]);
    const V0 = a.positions.length / 3;
    const mesh = {
      positions: Float64Array.from([...a.positions, ...b.positions]),
      faces: Uint32Array.from([...a.faces, ...Array.from(b.faces, (i) => i + V0)]),
    };
    const topology = buildEdgeTopology(mesh.faces, mesh.positions.length / 3);
    const cam = camera(24, 24, orbitView(0.2, 0.3, 3.5), 24);
    const C = 3;
    const V = mesh.positions.length / 3;
    const attr = randomArray(rng, V * C, 0, 1);
    const g = randomArray(rng, 24 * 24 * C, -1, 1);
    const r0 = rasterizeCpu(mesh, cam);
    const color = interpolateCpu(attr, C, mesh.faces, r0);
    const ga = antialiasBackwardCpu(color, C, r0, mesh, cam, g, { topology });
    const gi = interpolateBackwardCpu(attr, C, mesh.faces, r0, ga.color);
    const gr = rasterizeBackwardCpu(mesh, cam, r0, { bary: gi.bary });
    const gPos = gr.map((x, i) => x + ga.positions[i]);
    const loss = (): number => {
      const r = rasterizeCpu(mesh, cam);
      return dot(g, antialiasCpu(interpolateCpu(attr, C, mesh.faces, r), C, r, mesh, cam, { topology }));
    };
    expect(relativeMaxError(gi.attributes, finiteDiff(attr, loss))).toBeLessThan(1e-6);
    expect(relativeMaxError(gPos, finiteDiff(mesh.positions, loss))).toBeLessThan(1e-6);
    // The coverage term is a real part of the position gradient.
    expect(Math.max(...ga.positions.map(Math.abs))).toBeGreaterThan(0.05 * Math.max(...gPos.map(Math.abs)));
  });

  it('antialias of a flat silhouette mask gives position gradients from coverage alone (rel 1e-6)', () => {
    const rng = makeRng(4);
    const mesh = jitter(icosphere(1), rng, 0.15);
    const cam = camera(20, 20, orbitView(0.1, 0.2, 3), 20);
    const r0 = rasterizeCpu(mesh, cam);
    const mask = (r: typeof r0): Float64Array => Float64Array.from(r.triId, (id) => (id >= 0 ? 1 : 0));
    const g = randomArray(rng, 400, -1, 1);
    const ga = antialiasBackwardCpu(mask(r0), 1, r0, mesh, cam, g);
    const fd = finiteDiff(mesh.positions, () => {
      const r = rasterizeCpu(mesh, cam);
      return dot(g, antialiasCpu(mask(r), 1, r, mesh, cam));
    });
    expect(relativeMaxError(ga.positions, fd)).toBeLessThan(1e-6);
    expect(Math.max(...fd.map(Math.abs))).toBeGreaterThan(0.1);
  });

  for (const wrap of ['wrap', 'clamp'] as const) {
    it(`texture (${wrap}): w.r.t. the texture and the UVs (rel 1e-6)`, () => {
      const rng = makeRng(5);
      const tex = { data: randomArray(rng, 5 * 7 * 4, -1, 1), width: 7, height: 5, channels: 4 };
      // UVs in [-0.5, 1.5] exercise the addressing; keep them off texel-centre lines (kinks).
      const uv = randomArray(rng, 2 * 50, -0.5, 1.5);
      const g = randomArray(rng, 50 * 4, -1, 1);
      const an = textureBackwardCpu(tex, uv, g, { wrap });
      const loss = (): number => dot(g, textureCpu(tex, uv, { wrap }));
      expect(relativeMaxError(an.texture, finiteDiff(tex.data, loss))).toBeLessThan(1e-6);
      expect(relativeMaxError(an.uv, finiteDiff(uv, loss))).toBeLessThan(1e-6);
    });
  }
});
