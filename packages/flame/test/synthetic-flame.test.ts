import { describe, expect, it } from 'vitest';
import { createSyntheticFlame, faceNormals, flameForwardCpu, SYNTHETIC_EXPRESSIONS } from '../src/index.js';
import { row } from './tiny-model.js';

// Small grids keep the suite fast; the defaults are exercised once.
const small = { rings: 20, segments: 28, eyeRings: 5, eyeSegments: 8 } as const;

function signedVolume(p: ArrayLike<number>, faces: ArrayLike<number>, from = 0, to = faces.length / 3): number {
  let vol = 0;
  for (let f = from; f < to; f++) {
    const [a, b, c] = [faces[f * 3] * 3, faces[f * 3 + 1] * 3, faces[f * 3 + 2] * 3];
    vol += (p[a] * (p[b + 1] * p[c + 2] - p[b + 2] * p[c + 1]) - p[a + 1] * (p[b] * p[c + 2] - p[b + 2] * p[c]) + p[a + 2] * (p[b] * p[c + 1] - p[b + 1] * p[c])) / 6;
  }
  return vol;
}

/** Nearest hit distance of a ray against a set of faces (Möller-Trumbore), Infinity if none. */
function rayHit(p: ArrayLike<number>, faces: ArrayLike<number>, o: number[], d: number[], filter: (f: number) => boolean): number {
  let best = Infinity;
  for (let f = 0; f < faces.length / 3; f++) {
    if (!filter(f)) continue;
    const a = row(p, faces[f * 3]), b = row(p, faces[f * 3 + 1]), c = row(p, faces[f * 3 + 2]);
    const e1 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]], e2 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
    const h = [d[1] * e2[2] - d[2] * e2[1], d[2] * e2[0] - d[0] * e2[2], d[0] * e2[1] - d[1] * e2[0]];
    const det = e1[0] * h[0] + e1[1] * h[1] + e1[2] * h[2];
    if (Math.abs(det) < 1e-14) continue;
    const s = [o[0] - a[0], o[1] - a[1], o[2] - a[2]];
    const u = (s[0] * h[0] + s[1] * h[1] + s[2] * h[2]) / det;
    if (u < 0 || u > 1) continue;
    const q = [s[1] * e1[2] - s[2] * e1[1], s[2] * e1[0] - s[0] * e1[2], s[0] * e1[1] - s[1] * e1[0]];
    const v = (d[0] * q[0] + d[1] * q[1] + d[2] * q[2]) / det;
    if (v < 0 || u + v > 1) continue;
    const t = (e2[0] * q[0] + e2[1] * q[1] + e2[2] * q[2]) / det;
    if (t > 0 && t < best) best = t;
  }
  return best;
}

describe('createSyntheticFlame', () => {
  it('has the default size, FLAME layout and closed, outward-oriented surfaces', () => {
    const m = createSyntheticFlame();
    expect([m.numVertices, m.numFaces, m.numShape, m.numExpression]).toEqual([3654, 7296, 20, 10]);
    expect(Array.from(m.parents)).toEqual([-1, 0, 1, 1, 1]);
    expect(m.shapedirs.length).toBe(m.numVertices * 3 * 20);
    expect(m.posedirs.length).toBe(m.numVertices * 3 * 36);
    // Every edge is shared by exactly two faces, in opposite directions (closed, consistently oriented).
    const edges = new Map<string, number>();
    for (let f = 0; f < m.numFaces; f++) {
      for (let k = 0; k < 3; k++) {
        const key = `${m.faces[f * 3 + k]},${m.faces[f * 3 + ((k + 1) % 3)]}`;
        edges.set(key, (edges.get(key) ?? 0) + 1);
      }
    }
    for (const [key, n] of edges) {
      expect(n).toBe(1);
      const [a, b] = key.split(',');
      expect(edges.get(`${b},${a}`)).toBe(1);
    }
    // Head volume positive (outward normals) and head-sized: 2-8 litres with the neck.
    const headFaces = m.info.faceChart.indexOf(1);
    const vol = signedVolume(m.vTemplate, m.faces, 0, headFaces);
    expect(vol).toBeGreaterThan(0.002);
    expect(vol).toBeLessThan(0.008);
    // Each eyeball is a positive-volume sphere of radius 12.5 mm: 4/3 π r³ ≈ 8.2 cm³.
    const eyeVol = signedVolume(m.vTemplate, m.faces, headFaces, headFaces + (m.numFaces - headFaces) / 2);
    expect(eyeVol).toBeGreaterThan(6e-6);
    expect(eyeVol).toBeLessThan(8.2e-6);
  });

  it('is deterministic per seed and differs between seeds only in the random bases', () => {
    const a = createSyntheticFlame({ seed: 3, ...small });
    const b = createSyntheticFlame({ seed: 3, ...small });
    const c = createSyntheticFlame({ seed: 4, ...small });
    expect(a.shapedirs).toEqual(b.shapedirs);
    expect(a.posedirs).toEqual(b.posedirs);
    expect(a.vTemplate).toEqual(c.vTemplate);
    expect(a.shapedirs).not.toEqual(c.shapedirs);
  });

  it('has regressor rows and skinning weights that sum to one, joints in anatomical order', () => {
    const m = createSyntheticFlame(small);
    const V = m.numVertices;
    for (let j = 0; j < 5; j++) {
      let s = 0;
      for (let v = 0; v < V; v++) s += m.jRegressor[j * V + v];
      expect(s).toBeCloseTo(1, 5);
    }
    for (let v = 0; v < V; v++) {
      let s = 0;
      for (let j = 0; j < 5; j++) s += m.weights[v * 5 + j];
      expect(s).toBeCloseTo(1, 5);
    }
    const J = flameForwardCpu(m).joints;
    expect(J[1]).toBeLessThan(J[4]); // global below neck
    expect(J[4]).toBeLessThan(J[7]); // neck below jaw
    expect(J[9]).toBeGreaterThan(0.02); // left eye at +x
    expect(J[12]).toBeLessThan(-0.02); // right eye at -x
    expect(J[11]).toBeGreaterThan(0.05); // eyes in front
  });

  it('opens the jaw: the chin moves down with jaw pose and with the jawOpen expression', () => {
    const m = createSyntheticFlame(small);
    const lm = (p: Parameters<typeof flameForwardCpu>[1]) => flameForwardCpu(m, p).landmarks;
    const rest = lm({});
    const chinY = (l: Float64Array) => l[8 * 3 + 1]; // landmark 8: chin
    const lipGap = (l: Float64Array) => l[62 * 3 + 1] - l[66 * 3 + 1]; // inner lips 62 (upper) - 66 (lower)
    expect(chinY(lm({ jawPose: [0.3, 0, 0] })) - chinY(rest)).toBeLessThan(-0.015);
    const expr = new Float64Array(m.numExpression);
    expr[SYNTHETIC_EXPRESSIONS.jawOpen] = 1;
    const open = lm({ expression: expr });
    expect(chinY(open) - chinY(rest)).toBeLessThan(-0.008);
    expect(lipGap(open)).toBeGreaterThan(lipGap(rest) + 0.002);
  });

  it('smiles: the mouth corners (48, 54) move up and apart', () => {
    const m = createSyntheticFlame(small);
    const expr = new Float64Array(m.numExpression);
    expr[SYNTHETIC_EXPRESSIONS.smile] = 1;
    const a = flameForwardCpu(m).landmarks, b = flameForwardCpu(m, { expression: expr }).landmarks;
    expect(b[48 * 3 + 1] - a[48 * 3 + 1]).toBeGreaterThan(0.002);
    expect(b[54 * 3 + 1] - a[54 * 3 + 1]).toBeGreaterThan(0.002);
    expect(b[54 * 3] - b[48 * 3]).toBeGreaterThan(a[54 * 3] - a[48 * 3] + 0.003);
  });

  it('blinks: at blink = 1 skin covers the front of both eyeballs, at 0 the eyeballs show', () => {
    const m = createSyntheticFlame();
    const expr = new Float64Array(m.numExpression);
    expr[SYNTHETIC_EXPRESSIONS.blink] = 1;
    const open = flameForwardCpu(m).vertices, closed = flameForwardCpu(m, { expression: expr }).vertices;
    const isEye = (f: number) => m.info.faceChart[f] !== 0;
    for (const e of [0, 1]) {
      const front = m.info.eyeStart[e]; // vertex 0 of each eyeball is its front pole
      const o = [open[front * 3], open[front * 3 + 1], open[front * 3 + 2] + 0.2];
      const d = [0, 0, -1];
      const skinOpen = rayHit(open, m.faces, o, d, (f) => !isEye(f));
      const eyeOpen = rayHit(open, m.faces, o, d, isEye);
      const skinClosed = rayHit(closed, m.faces, o, d, (f) => !isEye(f));
      const eyeClosed = rayHit(closed, m.faces, o, d, isEye);
      expect(eyeOpen).toBeLessThan(skinOpen);
      expect(skinClosed).toBeLessThan(eyeClosed);
    }
  });

  it('places 68 landmarks in iBUG order: symmetric, eyes above the nose tip above the mouth above the chin', () => {
    const m = createSyntheticFlame();
    const l = flameForwardCpu(m).landmarks;
    expect(l.length).toBe(68 * 3);
    const y = (i: number) => l[i * 3 + 1];
    const x = (i: number) => l[i * 3];
    expect(y(37)).toBeGreaterThan(y(30));
    expect(y(30)).toBeGreaterThan(y(51));
    expect(y(51)).toBeGreaterThan(y(57));
    expect(y(57)).toBeGreaterThan(y(8));
    expect(x(36)).toBeLessThan(x(39)); // image left to right = subject's right to left
    expect(x(0)).toBeLessThan(x(16));
    // Mirror images up to the triangulation (quad diagonals are not mirrored): within 2 mm.
    expect(Math.abs(x(0) + x(16))).toBeLessThan(0.002);
    expect(Math.abs(x(36) + x(45))).toBeLessThan(0.002);
    expect(l[30 * 3 + 2]).toBeGreaterThan(l[8 * 3 + 2]); // nose tip in front of the chin
  });

  it('slides the far side of the contour toward the face as the head turns', () => {
    const m = createSyntheticFlame(small);
    const yaw = 30 * Math.PI / 180;
    const turned = flameForwardCpu(m, { rotation: [0, yaw, 0] }).landmarks;
    const fixed = flameForwardCpu(m, { rotation: [0, yaw, 0] }, { dynamicContour: false }).landmarks;
    // Positive yaw turns the face toward +x: landmark 16 (left end of the jaw line) moves toward the chin.
    const d = (l: Float64Array, i: number, j: number) => Math.hypot(l[i * 3] - l[j * 3], l[i * 3 + 1] - l[j * 3 + 1], l[i * 3 + 2] - l[j * 3 + 2]);
    expect(d(turned, 16, 8)).toBeLessThan(d(fixed, 16, 8) - 0.01);
    expect(d(turned, 0, 8)).toBeCloseTo(d(fixed, 0, 8), 3);
  });

  it('has masks with FLAME names, a UV layout with one UV triple per face, and face normals pointing out', () => {
    const m = createSyntheticFlame(small);
    for (const k of ['face', 'scalp', 'neck', 'lips', 'nose', 'left_eyeball', 'right_eyeball', 'left_eye_region', 'forehead', 'boundary']) {
      expect(m.masks![k].length, k).toBeGreaterThan(0);
    }
    expect(m.uv.faceUvs.length).toBe(m.faces.length);
    for (const u of m.uv.uvs) expect(u >= 0 && u <= 1).toBe(true);
    const n = faceNormals(m.vTemplate, m.faces);
    const lmFace = m.landmarks!.staticFaces[30 - 17]; // nose tip
    expect(n[lmFace * 3 + 2]).toBeGreaterThan(0.5);
  });

  it('rejects bad options naming them', () => {
    expect(() => createSyntheticFlame({ shapeComponents: 301 })).toThrow(/options\.shapeComponents must be an integer in \[0, 300\]/);
    expect(() => createSyntheticFlame({ seed: 0.5 })).toThrow(/options\.seed/);
  });
});
