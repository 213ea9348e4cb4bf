import { describe, expect, it } from 'vitest';
import {
  bindPoints, createSyntheticFlame, faceAreas, faceNormals, interpolateMidpoints, parseObj, rodrigues, sampleSurface,
  sampleUvTexels, subdivideMidpoint, triangleFrames, vertexNormals, writeObj,
} from '../src/index.js';

// Unit cube as 12 outward triangles.
const cubePos = Float32Array.from([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1]);
const cubeFaces = Int32Array.from([
  0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 2, 3, 7, 2, 7, 6, 1, 2, 6, 1, 6, 5, 0, 4, 7, 0, 7, 3,
]);

describe('normals', () => {
  it('gives unit outward face normals for a cube, and ±axis vertex normals for an octahedron', () => {
    const fn = faceNormals(cubePos, cubeFaces);
    expect(Array.from(fn.slice(0, 6))).toEqual([0, 0, -1, 0, 0, -1]);
    expect(Array.from(fn.slice(6, 9))).toEqual([0, 0, 1]);
    const octPos = [1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1];
    const octFaces = [0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5];
    const vn = vertexNormals(octPos, octFaces);
    for (let v = 0; v < 6; v++) for (let c = 0; c < 3; c++) expect(vn[v * 3 + c]).toBeCloseTo(octPos[v * 3 + c], 6);
    expect(faceAreas(cubePos, cubeFaces).reduce((a, b) => a + b, 0)).toBeCloseTo(6, 10);
  });
});

describe('triangleFrames / bindPoints', () => {
  it('builds the frame from the first edge and the normal, scale = (edge + height) / 2', () => {
    const fr = triangleFrames([0, 0, 0, 2, 0, 0, 0, 1, 0], [0, 1, 2]);
    expect(Array.from(fr.centroids)).toEqual([2 / 3, 1 / 3, 0].map(Math.fround));
    // Columns: a0 = +x, a1 = +z (normal), a2 = a0 × a1 = -y.
    expect(Array.from(fr.rotations)).toEqual([1, 0, 0, 0, 0, -1, 0, 1, 0]);
    expect(fr.scales[0]).toBe(1.5);
  });

  it('carries bound points rigidly with a rotated, translated and scaled mesh', () => {
    const m = createSyntheticFlame({ rings: 10, segments: 12, eyeRings: 3, eyeSegments: 5 });
    const F = m.numFaces;
    const binding = Int32Array.from({ length: 50 }, (_, i) => (i * 37) % F);
    const local = Float32Array.from({ length: 150 }, (_, i) => Math.sin(i * 1.7) * 0.5);
    const before = bindPoints(triangleFrames(m.vTemplate, m.faces), binding, local);
    const Q = rodrigues([0.3, -0.8, 0.5]);
    const t = [0.1, 0.2, -0.3], k = 2;
    const moved = new Float32Array(m.vTemplate.length);
    for (let v = 0; v < m.numVertices; v++) {
      for (let r = 0; r < 3; r++) moved[v * 3 + r] = k * (Q[r * 3] * m.vTemplate[v * 3] + Q[r * 3 + 1] * m.vTemplate[v * 3 + 1] + Q[r * 3 + 2] * m.vTemplate[v * 3 + 2]) + t[r];
    }
    const frames = triangleFrames(moved, m.faces);
    const after = bindPoints(frames, binding, local);
    for (let i = 0; i < 50; i++) {
      for (let r = 0; r < 3; r++) {
        const e = k * (Q[r * 3] * before[i * 3] + Q[r * 3 + 1] * before[i * 3 + 1] + Q[r * 3 + 2] * before[i * 3 + 2]) + t[r];
        expect(after[i * 3 + r]).toBeCloseTo(e, 5);
      }
    }
    // Every frame is a rotation: orthonormal with determinant +1.
    for (let f = 0; f < F; f += 7) {
      const R = frames.rotations.subarray(f * 9, f * 9 + 9);
      const det = R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) + R[2] * (R[3] * R[7] - R[4] * R[6]);
      expect(det).toBeCloseTo(1, 5);
    }
  });
});

describe('sampleSurface', () => {
  it('chooses triangles in proportion to area and stays inside them, deterministically', () => {
    // Two triangles of area 0.5 and 1.
    const pos = [0, 0, 0, 1, 0, 0, 0, 1, 0, 3, 0, 0, 0, 1, 0];
    const faces = [0, 1, 2, 1, 3, 2];
    const s = sampleSurface(pos, faces, 20000, 7);
    const n1 = s.faceIndex.reduce((a, f) => a + f, 0);
    expect(n1 / 20000).toBeCloseTo(2 / 3, 1.5);
    for (let i = 0; i < 20000; i++) {
      const b = s.bary.subarray(i * 3, i * 3 + 3);
      expect(Math.min(b[0], b[1], b[2])).toBeGreaterThanOrEqual(0);
      expect(b[0] + b[1] + b[2]).toBeCloseTo(1, 6);
    }
    // Uniform within a triangle: the mean of the samples in triangle 0 is its centroid (1/3, 1/3).
    let mx = 0, my = 0, n0 = 0;
    for (let i = 0; i < 20000; i++) if (s.faceIndex[i] === 0) { mx += s.points[i * 3]; my += s.points[i * 3 + 1]; n0++; }
    expect(mx / n0).toBeCloseTo(1 / 3, 2);
    expect(my / n0).toBeCloseTo(1 / 3, 2);
    expect(sampleSurface(pos, faces, 10, 7).points).toEqual(sampleSurface(pos, faces, 10, 7).points);
  });
});

describe('sampleUvTexels', () => {
  it('gives every texel inside a chart exactly one sample, even where edges pass through texel centres', () => {
    const W = 64;
    // Square chart [8, 40]² texels as a fan of 4 triangles around the texel centre (24.5, 24.5),
    // whose diagonals run through texel centres; plus a separate triangle chart.
    const c = 24.5 / W;
    const uvs = [8 / W, 8 / W, 40 / W, 8 / W, 40 / W, 40 / W, 8 / W, 40 / W, c, c, 0.75, 0.1, 0.95, 0.1, 0.75, 0.5];
    const faceUvs = [0, 1, 4, 1, 2, 4, 2, 3, 4, 3, 0, 4, 5, 6, 7];
    const s = sampleUvTexels(uvs, faceUvs, W, W);
    const seen = new Map<number, number>();
    for (let i = 0; i < s.faceIndex.length; i++) {
      const key = s.texel[i * 2 + 1] * W + s.texel[i * 2];
      expect(seen.has(key), `texel ${key} sampled twice`).toBe(false);
      seen.set(key, s.faceIndex[i]);
    }
    for (let y = 0; y < W; y++) {
      for (let x = 0; x < W; x++) {
        if (x >= 8 && x < 40 && y >= 8 && y < 40) expect(seen.has(y * W + x), `texel (${x}, ${y})`).toBe(true);
      }
    }
    let square = 0, tri = 0;
    for (const f of s.faceIndex) f < 4 ? square++ : tri++;
    expect(square).toBe(32 * 32);
    // The triangle covers area 0.2 * 0.4 / 2 of the layout: 0.04 * 4096 = 163.8 texels, up to its boundary.
    expect(Math.abs(tri - 163.84)).toBeLessThan(12);
    // Barycentrics reproduce the texel centre's UV.
    for (let i = 0; i < s.faceIndex.length; i += 13) {
      const f = s.faceIndex[i];
      let u = 0, v = 0;
      for (let k = 0; k < 3; k++) {
        u += s.bary[i * 3 + k] * uvs[faceUvs[f * 3 + k] * 2];
        v += s.bary[i * 3 + k] * uvs[faceUvs[f * 3 + k] * 2 + 1];
      }
      expect(u).toBeCloseTo(s.uv[i * 2], 6);
      expect(v).toBeCloseTo(s.uv[i * 2 + 1], 6);
    }
  });

  it("covers the synthetic model's layout evenly: one sample per texel, chart counts proportional to chart areas", () => {
    const m = createSyntheticFlame({ rings: 16, segments: 24, eyeRings: 5, eyeSegments: 8 });
    const W = 256;
    const s = sampleUvTexels(m.uv.uvs, m.uv.faceUvs, W, W);
    const texels = new Set<number>();
    for (let i = 0; i < s.faceIndex.length; i++) texels.add(s.texel[i * 2 + 1] * W + s.texel[i * 2]);
    expect(texels.size).toBe(s.faceIndex.length);
    const uvArea = new Float64Array(3), count = new Float64Array(3);
    const U = m.uv.uvs, FU = m.uv.faceUvs;
    for (let f = 0; f < m.numFaces; f++) {
      const [a, b, c] = [FU[f * 3] * 2, FU[f * 3 + 1] * 2, FU[f * 3 + 2] * 2];
      uvArea[m.info.faceChart[f]] += Math.abs((U[b] - U[a]) * (U[c + 1] - U[a + 1]) - (U[c] - U[a]) * (U[b + 1] - U[a + 1])) / 2;
    }
    for (const f of s.faceIndex) count[m.info.faceChart[f]]++;
    for (let k = 0; k < 3; k++) expect(Math.abs(count[k] / (uvArea[k] * W * W) - 1), `chart ${k}`).toBeLessThan(0.02);
    // Between the first and last rings the head chart is a full rectangle: every texel in it is sampled.
    const [u0, , u1, v1] = m.info.charts[0];
    const vTop = v1 - (v1 - m.info.charts[0][1]) / 17, vBot = m.info.charts[0][1] + (v1 - m.info.charts[0][1]) / 17;
    for (let y = 0; y < W; y++) {
      for (let x = 0; x < W; x++) {
        const u = (x + 0.5) / W, v = (y + 0.5) / W;
        if (u > u0 && u < u1 && v > vBot && v < vTop) expect(texels.has(y * W + x), `texel (${x}, ${y})`).toBe(true);
      }
    }
  });

  it('rejects a bad raster size naming it', () => {
    expect(() => sampleUvTexels([0, 0, 1, 0, 0, 1], [0, 1, 2], 0, 4)).toThrow(/sampleUvTexels: width must be a positive integer, got 0/);
  });
});

describe('subdivideMidpoint', () => {
  it('splits each triangle in four with shared edge midpoints and keeps UV seams', () => {
    const sub = subdivideMidpoint({ positions: cubePos, faces: cubeFaces });
    // A closed mesh: V' = V + E = 8 + 18, F' = 4F.
    expect(sub.positions.length / 3).toBe(26);
    expect(sub.faces.length / 3).toBe(48);
    expect(faceAreas(sub.positions, sub.faces).reduce((a, b) => a + b, 0)).toBeCloseTo(6, 6);
    const m = createSyntheticFlame({ rings: 8, segments: 10, eyeRings: 3, eyeSegments: 5 });
    const s = subdivideMidpoint({ positions: m.vTemplate, faces: m.faces, uvs: m.uv.uvs, faceUvs: m.uv.faceUvs });
    expect(s.faces.length).toBe(m.faces.length * 4);
    expect(s.faceUvs!.length).toBe(s.faces.length);
    // UV sampling of the subdivided layout covers the same area (the layout is unchanged).
    const a = sampleUvTexels(m.uv.uvs, m.uv.faceUvs, 128, 128).faceIndex.length;
    const b = sampleUvTexels(s.uvs!, s.faceUvs!, 128, 128).faceIndex.length;
    expect(b).toBe(a);
    // Parents interpolate any per-vertex attribute, e.g. skinning weights stay normalised.
    const w = interpolateMidpoints(m.weights, 5, s.parents);
    for (let v = 0; v < w.length / 5; v++) expect(w[v * 5] + w[v * 5 + 1] + w[v * 5 + 2] + w[v * 5 + 3] + w[v * 5 + 4]).toBeCloseTo(1, 5);
  });
});

describe('OBJ', () => {
  it('round-trips positions, faces and UVs', () => {
    const m = createSyntheticFlame({ rings: 8, segments: 10, eyeRings: 3, eyeSegments: 5 });
    const mesh = { positions: m.vTemplate, faces: m.faces, uvs: m.uv.uvs, faceUvs: m.uv.faceUvs };
    const back = parseObj(writeObj(mesh));
    expect(back).toEqual(mesh);
  });

  it('triangulates quads, resolves negative indices and ignores normals', () => {
    const obj = 'v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvn 0 0 1\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\nf 1/1/1 2/2/1 3/3/1 -1/-1/1\n';
    const m = parseObj(obj);
    expect(Array.from(m.faces)).toEqual([0, 1, 2, 0, 2, 3]);
    expect(Array.from(m.faceUvs!)).toEqual([0, 1, 2, 0, 2, 3]);
  });

  it('reports the line of a bad face', () => {
    expect(() => parseObj('v 0 0 0\nf 1 2 3\n')).toThrow(/parseObj: line 2 must be a face whose vertex indices exist \(1\.\.1\)/);
  });
});
