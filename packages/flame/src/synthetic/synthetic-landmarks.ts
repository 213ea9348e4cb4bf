import { FLAME_YAW_BINS, type FlameLandmarkEmbedding } from '../flame-model.js';
import { DEG, HEAD } from './head-surface.js';
import type { HeadMesh } from './head-mesh.js';

/**
 * 68 landmarks in the iBUG-300W order (0-16 jaw line from the subject's right ear to the left,
 * 17-26 brows, 27-35 nose, 36-47 eyes, 48-67 lips), placed by (θ, φ) on the head surface and
 * embedded in the triangle under that direction. The subject's right is -x, so points run
 * from negative to positive φ as they do left to right in a frontal image.
 */
type Angles = [number, number]; // degrees (θ, φ)

function contour(yawDeg: number): Angles[] {
  // The jaw line visible from a frontal camera: when the head yaws by a, the far side's
  // silhouette moves to azimuth 90 - a, so that half of the line is compressed toward the chin.
  const lo = Math.max(-80, -80 - yawDeg);
  const hi = Math.min(80, 80 - yawDeg);
  const out: Angles[] = [];
  for (let k = 0; k < 17; k++) {
    const t = -1 + k / 8;
    const phi = t >= 0 ? t * hi : -t * lo; // the chin (t = 0) stays put
    const tn = phi / 80;
    out.push([98 + 34 * Math.cos((Math.PI / 2) * Math.min(Math.abs(tn), 1)), phi]);
  }
  return out;
}

function staticPoints(): Angles[] {
  const p: Angles[] = [];
  // Brows 17-21 (right, outer end first), 22-26 (left, inner end first): arched.
  for (let k = 0; k < 5; k++) p.push([68 - 3 * Math.sin((Math.PI * k) / 4), -50 + (38 * k) / 4]);
  for (let k = 0; k < 5; k++) p.push([68 - 3 * Math.sin((Math.PI * k) / 4), 12 + (38 * k) / 4]);
  // Nose bridge 27-30, nostrils 31-35.
  for (let k = 0; k < 4; k++) p.push([78 + k * 5, 0]);
  for (let k = 0; k < 5; k++) p.push([97, -9 + k * 4.5]);
  // Eyes 36-41 (right), 42-47 (left): corner, two upper lid points, corner, two lower lid points.
  const et = HEAD.eyeTheta / DEG, ep = HEAD.eyePhi / DEG;
  for (const side of [-1, 1]) {
    const c = side * ep;
    p.push([et, c - 7.5], [et - 3, c - 3], [et - 3, c + 3], [et, c + 7.5], [et + 2.5, c + 3], [et + 2.5, c - 3]);
  }
  // Outer lips 48-59: right corner, upper lip to the left corner, lower lip back.
  const mt = HEAD.mouthTheta / DEG;
  p.push([mt, -17], [mt - 2.5, -11], [mt - 3.5, -4], [mt - 3, 0], [mt - 3.5, 4], [mt - 2.5, 11], [mt, 17]);
  p.push([mt + 3, 11], [mt + 4.5, 5], [mt + 5, 0], [mt + 4.5, -5], [mt + 3, -11]);
  // Inner lips 60-67.
  p.push([mt, -13], [mt - 1, -5], [mt - 1.2, 0], [mt - 1, 5], [mt, 13], [mt + 1, 5], [mt + 1.2, 0], [mt + 1, -5]);
  return p;
}

export function buildLandmarks(mesh: HeadMesh): FlameLandmarkEmbedding {
  const embed = (pts: Angles[]) => {
    const faces = new Int32Array(pts.length);
    const bary = new Float32Array(pts.length * 3);
    pts.forEach(([t, ph], i) => {
      const { face, bary: b } = mesh.locate(t * DEG, ph * DEG);
      faces[i] = face;
      bary.set(b, i * 3);
    });
    return { faces, bary };
  };
  const st = embed(staticPoints());
  const dynFaces = new Int32Array(FLAME_YAW_BINS * 17);
  const dynBary = new Float32Array(FLAME_YAW_BINS * 17 * 3);
  for (let bin = 0; bin < FLAME_YAW_BINS; bin++) {
    const yaw = bin <= 39 ? bin : 39 - bin;
    const c = embed(contour(yaw));
    dynFaces.set(c.faces, bin * 17);
    dynBary.set(c.bary, bin * 17 * 3);
  }
  const c0 = embed(contour(0));
  const fullFaces = new Int32Array(68);
  const fullBary = new Float32Array(68 * 3);
  fullFaces.set(c0.faces, 0);
  fullBary.set(c0.bary, 0);
  fullFaces.set(st.faces, 17);
  fullBary.set(st.bary, 51);
  return {
    staticFaces: st.faces, staticBary: st.bary, dynamicFaces: dynFaces, dynamicBary: dynBary, dynamicCount: 17,
    fullFaces, fullBary,
  };
}
