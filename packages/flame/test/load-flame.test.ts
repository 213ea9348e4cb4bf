import { readNpz, writeNpz, type NamedArray } from '@headsplat/core';
import { describe, expect, it } from 'vitest';
import { createSyntheticFlame, flameForwardCpu, flameFromArrays, flameToArrays, loadFlameNpz, writeFlameNpz } from '../src/index.js';

const small = { rings: 12, segments: 16, eyeRings: 4, eyeSegments: 6, shapeComponents: 6, expressionComponents: 5 } as const;

describe('loadFlameNpz / writeFlameNpz', () => {
  it('round-trips the synthetic model through an .npz byte for byte in every array', () => {
    const m = createSyntheticFlame(small);
    const back = loadFlameNpz(writeFlameNpz(m, { compress: true }));
    for (const k of ['vTemplate', 'shapedirs', 'exprdirs', 'posedirs', 'jRegressor', 'weights', 'parents', 'faces'] as const) {
      expect(back[k], k).toEqual(m[k]);
    }
    expect([back.numShape, back.numExpression, back.numVertices, back.numFaces]).toEqual([6, 5, m.numVertices, m.numFaces]);
    expect(back.landmarks).toEqual(m.landmarks);
    expect(back.uv).toEqual(m.uv);
    expect(back.masks).toEqual(m.masks);
    const p = { shape: [1, -1], expression: [0.5, 1, 1], jawPose: [0.2, 0, 0], rotation: [0, 0.3, 0] };
    expect(flameForwardCpu(back, p).vertices).toEqual(flameForwardCpu(m, p).vertices);
  });

  it('reads the official layout: 300 shape components first, posedirs as (36, V*3), kintree root 2^32-1, float64 and int64', () => {
    const m = createSyntheticFlame(small);
    const a = flameToArrays(m);
    const V = m.numVertices;
    // Official: shapedirs (V, 3, 400) = 300 shape + 100 expression; fill ours into the first slots.
    const K = 400;
    const sd = new Float64Array(V * 3 * K);
    for (let i = 0; i < V * 3; i++) {
      for (let k = 0; k < 6; k++) sd[i * K + k] = m.shapedirs[i * 6 + k];
      for (let k = 0; k < 5; k++) sd[i * K + 300 + k] = m.exprdirs[i * 5 + k];
    }
    const pd = new Float64Array(36 * V * 3);
    for (let i = 0; i < V * 3; i++) for (let k = 0; k < 36; k++) pd[k * V * 3 + i] = m.posedirs[i * 36 + k];
    const arrays: Record<string, NamedArray> = {
      ...a,
      shapedirs: { dtype: 'float64', shape: [V, 3, K], data: sd },
      posedirs: { dtype: 'float64', shape: [36, V * 3], data: pd },
      f: { dtype: 'uint32', shape: [m.numFaces, 3], data: Uint32Array.from(m.faces) },
      full_lmk_faces_idx: { dtype: 'int64', shape: [1, 68], data: BigInt64Array.from(m.landmarks!.fullFaces!, BigInt) },
    };
    delete arrays.shape_components;
    const back = loadFlameNpz(writeNpz(arrays), { shapeComponents: 6, expressionComponents: 5 });
    expect(back.shapedirs).toEqual(m.shapedirs);
    expect(back.exprdirs).toEqual(m.exprdirs);
    expect(back.posedirs).toEqual(m.posedirs);
    expect(Array.from(back.parents)).toEqual([-1, 0, 1, 1, 1]);
    expect(back.landmarks!.fullFaces).toEqual(m.landmarks!.fullFaces);
    const all = loadFlameNpz(writeNpz(arrays));
    expect([all.numShape, all.numExpression]).toEqual([300, 100]);
  });

  it('keeps the first S shape and E expression components when asked', () => {
    const m = createSyntheticFlame(small);
    const back = loadFlameNpz(writeFlameNpz(m), { shapeComponents: 2, expressionComponents: 3 });
    expect([back.numShape, back.numExpression]).toEqual([2, 3]);
    expect(back.exprdirs[0 * 3 + 1]).toBe(m.exprdirs[1]);
    expect(back.shapedirs[5 * 2 + 1]).toBe(m.shapedirs[5 * 6 + 1]);
  });

  it('names the key and the expected shape in validation errors', () => {
    const m = createSyntheticFlame(small);
    const V = m.numVertices;
    const base = flameToArrays(m);
    const load = (patch: Record<string, NamedArray | undefined>, opts = {}) => {
      const a = { ...base, ...patch } as Record<string, NamedArray>;
      for (const k of Object.keys(a)) if (a[k] === undefined) delete a[k];
      return () => flameFromArrays(a, opts);
    };
    expect(load({ weights: undefined })).toThrow(/key 'weights' must be present/);
    expect(load({ weights: { dtype: 'float32', shape: [V, 4], data: new Float32Array(V * 4) } })).toThrow(
      new RegExp(`key 'weights' must be of shape \\(${V}, 5\\) with V from v_template, got shape \\(${V}, 4\\)`),
    );
    expect(load({ posedirs: { dtype: 'float32', shape: [V, 3, 35], data: new Float32Array(V * 3 * 35) } })).toThrow(
      new RegExp(`key 'posedirs' must be of shape \\(${V}, 3, 36\\), \\(${V * 3}, 36\\) or \\(36, ${V * 3}\\)`),
    );
    expect(load({ J_regressor: { dtype: 'float32', shape: [5, V + 1], data: new Float32Array(5 * (V + 1)) } })).toThrow(/key 'J_regressor' must be of shape \(5, \d+\)/);
    expect(load({ kintree_table: { dtype: 'int64', shape: [2, 5], data: BigInt64Array.of(4294967295n, 0n, 1n, 3n, 1n, 0n, 1n, 2n, 3n, 4n) } })).toThrow(/kintree_table.*each parent before its child/);
    const badF = Int32Array.from(m.faces);
    badF[7] = V;
    expect(load({ f: { dtype: 'int32', shape: [m.numFaces, 3], data: badF } })).toThrow(new RegExp(`key 'f' must be indices in \\[0, ${V}\\), got ${V} at flat index 7`));
    expect(load({}, { expressionComponents: 9 })).toThrow(/options\.expressionComponents must be an integer in \[0, 5\]/);
    expect(load({ shape_components: undefined })).toThrow(/options\.fileShapeComponents must be an integer in \[0, 11\]/);
    expect(() => loadFlameNpz(new Uint8Array([1, 2, 3]))).toThrow(/readNpz/);
  });

  it('writes arrays numpy can read back with the same keys', () => {
    const m = createSyntheticFlame(small);
    const keys = Object.keys(readNpz(writeFlameNpz(m))).sort();
    expect(keys).toEqual(expect.arrayContaining(['J_regressor', 'f', 'kintree_table', 'posedirs', 'shapedirs', 'v_template', 'weights', 'lmk_faces_idx', 'dynamic_lmk_faces_idx', 'vt', 'ft', 'mask_face']));
  });
});
