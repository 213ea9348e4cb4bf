/**
 * The /tensor binding: ops on core tensors give the CPU reference's values, pass core's
 * float64 gradcheck (away from id changes), and reject non-CPU / mistyped inputs by name.
 */

import { Tensor, gradcheck, liveTensors, mean, square, sub, tensor, tidy } from '@headsplat/core';
import { describe, expect, it } from 'vitest';
import { antialiasCpu, interpolateCpu, rasterizeCpu } from '../src/cpu/index.js';
import { icosphere, transformMesh } from '../src/primitives.js';
import { antialias, interpolate, rasterize, texture } from '../src/tensor.js';
import { buildEdgeTopology } from '../src/topology.js';
import { camera, makeRng, orbitView, randomArray } from './util.js';

const mesh = transformMesh(icosphere(1), [0.9, 0.7, 0.8], [0.1, 0, 0]);
const V = mesh.positions.length / 3;
const cam = camera(16, 14, orbitView(0.3, 0.2, 3), 16);
const f64 = (a: ArrayLike<number>, shape: number[], requiresGrad = false): Tensor => tensor(Float64Array.from(a), { shape, dtype: 'float64', requiresGrad });

describe('mesh-raster /tensor (cpu)', () => {
  it('matches the CPU reference for rasterize, interpolate and antialias (float32)', () => {
    const rng = makeRng(1);
    const colors = Float32Array.from(randomArray(rng, V * 3, 0, 1));
    const pos32 = Float32Array.from(mesh.positions);
    const ref = rasterizeCpu({ positions: pos32, faces: mesh.faces }, cam);
    const refColor = interpolateCpu(colors, 3, mesh.faces, ref);
    const refAa = antialiasCpu(refColor, 3, ref, { positions: pos32, faces: mesh.faces }, cam);
    tidy(() => {
      const positions = tensor(pos32, { shape: [V, 3] });
      const rast = rasterize(positions, mesh.faces, cam);
      expect(rast.triId.dtype).toBe('int32');
      expect(Array.from(rast.triId.dataSync())).toEqual(Array.from(ref.triId));
      expect(Array.from(rast.bary.dataSync())).toEqual(Array.from(Float32Array.from(ref.bary)));
      const rgb = interpolate(tensor(colors, { shape: [V, 3] }), rast, tensor(Int32Array.from(mesh.faces), { shape: [mesh.faces.length / 3, 3] }));
      expect(rgb.shape).toEqual([14, 16, 3]);
      const aa = antialias(rgb, rast, positions, mesh.faces, cam);
      const got = aa.dataSync();
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(refAa[i], 5);
    });
  });

  it('passes gradcheck (float64) through rasterize + interpolate + antialias w.r.t. positions and colours', () => {
    const rng = makeRng(2);
    const topology = buildEdgeTopology(mesh.faces, V);
    const pos = f64(mesh.positions, [V, 3], true);
    const cols = f64(randomArray(rng, V * 2, 0, 1), [V, 2], true);
    const fn = (p: Tensor, c: Tensor): Tensor => {
      const rast = rasterize(p, mesh.faces, cam);
      return antialias(interpolate(c, rast, mesh.faces), rast, p, mesh.faces, cam, { topology });
    };
    expect(gradcheck(fn, [pos, cols], { eps: 1e-6, atol: 1e-6, rtol: 1e-4 })).toBe(true);
  });

  it('passes gradcheck (float64) for depth w.r.t. positions and for texture w.r.t. texels and UVs', () => {
    const rng = makeRng(3);
    const pos = f64(mesh.positions, [V, 3], true);
    expect(gradcheck((p: Tensor) => rasterize(p, mesh.faces, cam).depth, [pos])).toBe(true);
    for (const wrap of ['wrap', 'clamp'] as const) {
      const tex = f64(randomArray(rng, 6 * 5 * 3, 0, 1), [6, 5, 3], true);
      const uv = f64(randomArray(rng, 4 * 7 * 2, -0.4, 1.4), [4, 7, 2], true);
      expect(gradcheck((t: Tensor, u: Tensor) => texture(t, u, { wrap }), [tex, uv])).toBe(true);
    }
  });

  it('fits vertex colours through the ops with core autograd and frees every tensor', () => {
    const rng = makeRng(4);
    const target = tidy(() => {
      const rast = rasterize(tensor(Float32Array.from(mesh.positions), { shape: [V, 3] }), mesh.faces, cam);
      return interpolate(tensor(Float32Array.from(randomArray(rng, V * 3, 0, 1)), { shape: [V, 3] }), rast, mesh.faces);
    });
    const positions = tensor(Float32Array.from(mesh.positions), { shape: [V, 3] });
    const colors = new Float32Array(V * 3).fill(0.5);
    const before = liveTensors();
    let first = 0;
    let last = 0;
    for (let step = 0; step < 30; step++) {
      tidy(() => {
        const c = tensor(colors, { shape: [V, 3], requiresGrad: true });
        const loss = mean(square(sub(interpolate(c, rasterize(positions, mesh.faces, cam), mesh.faces), target)));
        loss.backward();
        const g = c.grad!.dataSync();
        for (let i = 0; i < colors.length; i++) colors[i] -= 20 * g[i];
        c.grad!.dispose();
        if (step === 0) first = loss.dataSync()[0];
        last = loss.dataSync()[0];
      });
    }
    expect(liveTensors()).toBe(before);
    expect(last).toBeLessThan(0.2 * first);
    target.dispose();
    positions.dispose();
  });

  it('names the argument in errors', () => {
    const p = tensor(new Float32Array(9), { shape: [3, 3] });
    expect(() => rasterize(p, Uint32Array.of(0, 1, 5), cam)).toThrow('rasterize: faces: expected indices in [0, V) = [0, 3), got 5 at index 2');
    expect(() => rasterize(tensor(new Float32Array(8), { shape: [4, 2] }), Uint32Array.of(0, 1, 2), cam)).toThrow(/rasterize: positions: expected shape \[_, 3\], got \[4, 2\]/);
    expect(() => texture(tensor(new Float32Array(12), { shape: [2, 2, 3] }), tensor(new Float32Array(3), { shape: [3] }))).toThrow(/texture: uv/);
    p.dispose();
  });
});
