/**
 * PLY import / export of 3DGS scene files (src/ply.ts).
 * Values go through float32 storage: round trips are compared with float32 tolerances
 * (exact for stored-as-is fields, rel 1e-6 for the opacity logit and log-scale).
 */

import { describe, expect, it } from 'vitest';
import { renderCpu } from '../src/cpu/index.js';
import { PlyFormatError, plyPropertyNames, readPly, writePly } from '../src/ply.js';
import { SH_C0 } from '../src/sh.js';
import type { GaussianScene } from '../src/types.js';
import { makeRng, randomScene, smallCamera } from './cpu-util.js';

/** A PLY file from header lines and float32 vertex rows. */
function plyBytes(headerLines: string[], rows: number[][], type: 'float' | 'double' = 'float'): Uint8Array {
  const header = new TextEncoder().encode(`${headerLines.join('\n')}\n`);
  const size = type === 'float' ? 4 : 8;
  const values = rows.flat();
  const out = new Uint8Array(header.length + values.length * size);
  out.set(header);
  const view = new DataView(out.buffer, header.length);
  values.forEach((v, j) => (type === 'float' ? view.setFloat32(j * 4, v, true) : view.setFloat64(j * 8, v, true)));
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number): void {
  expect(actual.length).toBe(expected.length);
  for (let j = 0; j < expected.length; j++) {
    expect(Math.abs(actual[j] - expected[j])).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected[j])));
  }
}

describe('readPly / writePly', () => {
  for (const shDegree of [0, 1, 2, 3] as const) {
    it(`round-trips a degree-${shDegree} scene (float32 values, rel 1e-6 after logit/log)`, () => {
      const scene = randomScene(makeRng(shDegree), { n: 9, shDegree });
      const { scene: back, shDegree: deg } = readPly(writePly(scene));
      expect(deg).toBe(shDegree);
      expect(back.shDegree).toBe(shDegree);
      expect(Array.from(back.means)).toEqual(Array.from(Float32Array.from(scene.means)));
      expect(Array.from(back.quats)).toEqual(Array.from(Float32Array.from(scene.quats)));
      expect(Array.from(back.colors)).toEqual(Array.from(Float32Array.from(scene.colors)));
      expectClose(back.scales, scene.scales, 1e-6);
      expectClose(back.opacities, scene.opacities, 1e-6);
    });
  }

  it('writes the official header and field order (x y z nx ny nz f_dc f_rest opacity scale rot)', () => {
    // One degree-1 Gaussian with distinct values: colour coefficient k of channel c = 10 k + c.
    const scene: GaussianScene = {
      means: Float64Array.from([1, 2, 3]),
      quats: Float64Array.from([0.5, 0.25, -0.125, 2]),
      scales: Float64Array.from([Math.E, 1, Math.exp(-2)]),
      opacities: Float64Array.from([0.5]),
      colors: Float64Array.from([0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]),
      shDegree: 1,
    };
    const bytes = writePly(scene);
    const names = plyPropertyNames(1);
    const header = ['ply', 'format binary_little_endian 1.0', 'element vertex 1', ...names.map((p) => `property float ${p}`), 'end_header', ''].join('\n');
    expect(new TextDecoder().decode(bytes.subarray(0, header.length))).toBe(header);
    expect(names.slice(0, 9)).toEqual(['x', 'y', 'z', 'nx', 'ny', 'nz', 'f_dc_0', 'f_dc_1', 'f_dc_2']);
    expect(names.slice(18)).toEqual(['opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3']);
    const body = new DataView(bytes.buffer, bytes.byteOffset + header.length);
    const values = Array.from({ length: names.length }, (_, j) => Number(body.getFloat32(4 * j, true).toFixed(5)));
    // f_rest channel-major: red k=1..3, green k=1..3, blue k=1..3.
    expect(values).toEqual([1, 2, 3, 0, 0, 0, 0, 1, 2, 10, 20, 30, 11, 21, 31, 12, 22, 32, 0, 1, 0, -2, 0.5, 0.25, -0.125, 2]);
    expect(bytes.length).toBe(header.length + 4 * names.length);
  });

  it('reads a hand-written file in the official layout (degree 1, channel-major f_rest)', () => {
    const names = plyPropertyNames(1);
    const lines = ['ply', 'format binary_little_endian 1.0', 'comment written by hand', 'element vertex 2', ...names.map((p) => `property float ${p}`), 'end_header'];
    const row = (i: number): number[] => [
      i, 2 * i, 3 * i, 0, 0, 0,
      0.1, 0.2, 0.3, // f_dc r g b
      1, 2, 3, 4, 5, 6, 7, 8, 9, // f_rest: r(k1..3) g(k1..3) b(k1..3)
      Math.log(0.2 / 0.8), // opacity logit -> 0.2
      0, Math.log(2), Math.log(0.5), // log-scales
      2, 0, 0, 0, // quaternion, unnormalised
    ];
    const { scene, shDegree } = readPly(plyBytes(lines, [row(1), row(2)]));
    expect(shDegree).toBe(1);
    expectClose(scene.means, [1, 2, 3, 2, 4, 6], 0);
    expectClose(scene.opacities, [0.2, 0.2], 1e-6);
    expectClose(scene.scales.subarray(0, 3), [1, 2, 0.5], 1e-6);
    expectClose(scene.quats.subarray(0, 4), [2, 0, 0, 0], 0);
    // Our layout (K, 3): k=0 -> dc, then coefficient k of (r, g, b) = (f_rest_{k-1}, f_rest_{3+k-1}, f_rest_{6+k-1}).
    expectClose(scene.colors.subarray(0, 12), [0.1, 0.2, 0.3, 1, 4, 7, 2, 5, 8, 3, 6, 9], 1e-7);
  });

  it('reads properties by name, in any order and type, skipping extra properties and elements', () => {
    const lines = [
      'ply', 'format binary_little_endian 1.0',
      'element camera 1', 'property double fov',
      'element vertex 1',
      ...['rot_3', 'rot_2', 'rot_1', 'rot_0', 'scale_2', 'scale_1', 'scale_0', 'opacity', 'extra', 'f_dc_2', 'f_dc_1', 'f_dc_0', 'z', 'y', 'x'].map((p) => `property double ${p}`),
      'end_header',
    ];
    const bytes = plyBytes(lines, [[0.7], [4, 3, 2, 1, 0, 0, 0, 0, 99, 0.3, 0.2, 0.1, 9, 8, 7]], 'double');
    const { scene, shDegree } = readPly(bytes);
    expect(shDegree).toBe(0);
    expect(Array.from(scene.means)).toEqual([7, 8, 9]);
    expect(Array.from(scene.quats)).toEqual([1, 2, 3, 4]);
    expect(Array.from(scene.opacities)).toEqual([0.5]);
    expectClose(scene.colors, [0.1, 0.2, 0.3], 1e-7);
  });

  it('writes RGB scenes as degree-0 SH that render the same image (float32, abs 1e-6)', () => {
    const scene = randomScene(makeRng(4), { n: 10 });
    const { scene: back } = readPly(writePly(scene));
    expect(back.shDegree).toBe(0);
    expectClose(back.colors.subarray(0, 3), Array.from(scene.colors.subarray(0, 3), (c) => (c - 0.5) / SH_C0), 1e-6);
    const a = renderCpu(scene, smallCamera()).output.rgb;
    const b = renderCpu(back, smallCamera()).output.rgb;
    expectClose(b, a, 1e-5);
  });

  const valid = plyPropertyNames(0).map((p) => `property float ${p}`);
  const errorCases: [string, Uint8Array, RegExp][] = [
    ['ascii files', plyBytes(['ply', 'format ascii 1.0', 'element vertex 0', ...valid, 'end_header'], []), /readPly: format: expected "binary_little_endian 1\.0" \(ascii and big-endian PLY are not supported\), got "ascii 1\.0"/],
    ['big-endian files', plyBytes(['ply', 'format binary_big_endian 1.0', 'element vertex 0', ...valid, 'end_header'], []), /got "binary_big_endian 1\.0"/],
    ['files that are not PLY', new TextEncoder().encode('solid cube\n'), /readPly: magic: expected "ply" at the start of the file/],
    ['a missing end_header', new TextEncoder().encode('ply\nformat binary_little_endian 1.0\n'), /readPly: header: expected an "end_header" line/],
    ['missing 3DGS properties', plyBytes(['ply', 'format binary_little_endian 1.0', 'element vertex 0', 'property float x', 'property float y', 'property float z', 'end_header'], []), /readPly: vertex properties: expected the 3DGS layout .*missing f_dc_0, f_dc_1, f_dc_2, opacity/],
    ['a wrong f_rest count', plyBytes(['ply', 'format binary_little_endian 1.0', 'element vertex 0', ...valid, 'property float f_rest_0', 'end_header'], []), /readPly: f_rest properties: expected a count of 0, 9, 24 or 45 \(SH degree 0 to 3\), got 1/],
    ['list properties (meshes)', plyBytes(['ply', 'format binary_little_endian 1.0', 'element face 1', 'property list uchar int vertex_indices', 'end_header'], []), /readPly: element "face": expected fixed-size scalar properties/],
    ['a truncated body', plyBytes(['ply', 'format binary_little_endian 1.0', 'element vertex 2', ...valid, 'end_header'], [[1, 2, 3]]), /readPly: body: expected 136 bytes of vertex data/],
  ];
  for (const [name, bytes, message] of errorCases) {
    it(`rejects ${name} with a clear error`, () => {
      expect(() => readPly(bytes)).toThrow(PlyFormatError);
      expect(() => readPly(bytes)).toThrow(message);
    });
  }

  it('validates the scene it writes', () => {
    const scene = randomScene(makeRng(5), { n: 2 });
    expect(() => writePly({ ...scene, opacities: Float64Array.from([0.5, NaN]) })).toThrow(/writePly: scene\.opacities: expected finite values, got NaN at index 1/);
  });
});
