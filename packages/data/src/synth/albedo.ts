/**
 * Procedural albedo textures in the synthetic FLAME model's UV layout: skin (tone per
 * identity, rosy cheeks, low-frequency blotches), lips with a darker mouth line, eyebrows, a
 * hair cap (hairline height and colour per identity) and eyeballs (sclera, iris, pupil).
 * Regions are functions of the template point's direction from the head centre (θ from +y,
 * φ from +z, +x the subject's left), the frame `createSyntheticFlame` builds its features in,
 * so they stay on the same anatomy under any shape code. Texels are painted through
 * `sampleUvTexels` (one sample per covered texel) and then dilated a few texels past the
 * chart borders so that bilinear lookups near seams never read unpainted texels.
 */
import { sampleUvTexels, type SyntheticFlame } from '@headsplat/flame';
import type { SeededRandom } from '../random.js';

const DEG = Math.PI / 180;

/** Per-identity appearance, drawn from `SeededRandom` by `drawAppearance`. */
export interface HeadAppearance {
  skin: [number, number, number];
  lips: [number, number, number];
  hair: [number, number, number];
  iris: [number, number, number];
  /** Hairline polar angle at the forehead (radians). */
  hairline: number;
  /** Brow thickness (radians of θ). */
  browWidth: number;
  /** Phases of the skin blotches. */
  phases: number[];
}

const mix = (a: readonly number[], b: readonly number[], t: number): [number, number, number] => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
const smooth = (e0: number, e1: number, x: number): number => {
  const t = Math.min(Math.max((x - e0) / (e1 - e0), 0), 1);
  return t * t * (3 - 2 * t);
};

const HAIR_COLORS: [number, number, number][] = [
  [0.06, 0.05, 0.05], [0.2, 0.12, 0.07], [0.38, 0.24, 0.13], [0.72, 0.56, 0.33], [0.5, 0.2, 0.08], [0.62, 0.6, 0.58],
];
const IRIS_COLORS: [number, number, number][] = [[0.3, 0.17, 0.08], [0.2, 0.35, 0.55], [0.25, 0.4, 0.25], [0.45, 0.3, 0.15]];

export function drawAppearance(rng: SeededRandom): HeadAppearance {
  const tone = rng.uniform();
  const light = [0.95, 0.78, 0.68], dark = [0.38, 0.24, 0.17];
  const base = mix(light, dark, tone);
  const warm = rng.uniform(-0.03, 0.03);
  const skin: [number, number, number] = [base[0] + warm, base[1], base[2] - warm];
  const lips = mix(skin, [0.62, 0.2, 0.22], 0.55 - 0.2 * tone);
  const hair = HAIR_COLORS[rng.int(HAIR_COLORS.length)].map((c) => Math.min(1, Math.max(0, c + rng.uniform(-0.03, 0.03)))) as [number, number, number];
  const iris = IRIS_COLORS[rng.int(IRIS_COLORS.length)];
  return {
    skin, lips, hair, iris,
    hairline: rng.uniform(40, 56) * DEG,
    browWidth: rng.uniform(2.5, 4.5) * DEG,
    phases: Array.from({ length: 6 }, () => rng.uniform(0, 2 * Math.PI)),
  };
}

/** Albedo of a head-surface point in direction (θ, φ). */
function headAlbedo(a: HeadAppearance, theta: number, phi: number): [number, number, number] {
  const t = theta / DEG, p = phi / DEG, ap = Math.abs(p);
  const ph = a.phases;
  // Skin with low-frequency blotches (±4%) and rosy cheeks.
  const blotch = 1 + 0.04 * Math.sin(3 * theta + ph[0]) * Math.sin(4 * phi + ph[1]) + 0.02 * Math.sin(7 * theta + 5 * phi + ph[2]);
  let c = a.skin.map((v) => v * blotch) as [number, number, number];
  const cheek = Math.exp(-0.5 * (((t - 92) / 8) ** 2 + ((ap - 45) / 12) ** 2));
  c = mix(c, [c[0] * 1.05, c[1] * 0.85, c[2] * 0.85], 0.6 * cheek);
  // Lips (the synthetic model's lip band, 101-113 deg, |φ| < 21 deg) and the mouth line.
  const lipW = smooth(21, 17, ap) * smooth(100, 102.5, t) * smooth(114, 111.5, t);
  c = mix(c, a.lips, lipW);
  const mouth = smooth(17, 12, ap) * Math.exp(-0.5 * ((t - 106.5) / 0.9) ** 2);
  c = mix(c, [0.18, 0.05, 0.06], 0.9 * mouth);
  // Eyebrows: arcs above the eye sockets (eyes at 76 deg, ±24 deg).
  for (const s of [-1, 1]) {
    const q = s * p;
    const along = smooth(6, 10, q) * smooth(42, 36, q);
    const centre = 66 - 3 * Math.sin(((q - 8) / 32) * Math.PI);
    const across = Math.exp(-0.5 * ((t - centre) / (a.browWidth / DEG)) ** 4);
    c = mix(c, a.hair, 0.85 * along * across);
  }
  // Hair cap: hairline at the forehead, down to above the ears at the sides, low at the back.
  const hairline = a.hairline / DEG + 72 * smooth(35, 160, ap);
  const strands = 1 + 0.12 * Math.sin(40 * phi + ph[3]) * Math.sin(9 * theta + ph[4]);
  const hw = smooth(hairline + 2, hairline - 2, t);
  c = mix(c, a.hair.map((v) => Math.min(1, v * strands)), hw);
  return c;
}

/** Albedo of an eyeball point at angle α from its gaze axis (+z). */
function eyeAlbedo(a: HeadAppearance, cosA: number): [number, number, number] {
  if (cosA > 0.985) return [0.03, 0.03, 0.03];
  if (cosA > 0.93) return a.iris;
  return [0.93, 0.91, 0.88];
}

export interface AlbedoTexture {
  /** (size, size, 3) float32 in [0, 1], row 0 at v = 0. */
  data: Float32Array;
  width: number;
  height: number;
  channels: 3;
}

/** Paints the albedo texture of one identity, `size` x `size` texels. */
export function paintAlbedo(model: SyntheticFlame, a: HeadAppearance, size: number, samples = uvSamplesFor(model, size)): AlbedoTexture {
  const W = size, H = size;
  const data = new Float32Array(W * H * 3);
  const filled = new Uint8Array(W * H);
  const P = model.vTemplate, F = model.faces;
  const { faceChart, eyeStart, eyeVertexCount } = model.info;
  // Eyeball centres and radii (template).
  const eyes = eyeStart.map((s) => {
    const c = [0, 0, 0];
    for (let v = s; v < s + eyeVertexCount; v++) for (let k = 0; k < 3; k++) c[k] += P[v * 3 + k] / eyeVertexCount;
    let r = 0;
    for (let v = s; v < s + eyeVertexCount; v++) r = Math.max(r, Math.hypot(P[v * 3] - c[0], P[v * 3 + 1] - c[1], P[v * 3 + 2] - c[2]));
    return { c, r };
  });
  const n = samples.faceIndex.length;
  for (let i = 0; i < n; i++) {
    const f = samples.faceIndex[i];
    const p = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      const v = F[f * 3 + k], w = samples.bary[i * 3 + k];
      for (let d = 0; d < 3; d++) p[d] += w * P[v * 3 + d];
    }
    let col: [number, number, number];
    const chart = faceChart[f];
    if (chart === 0) {
      const r = Math.hypot(p[0], p[1], p[2]);
      col = headAlbedo(a, Math.acos(Math.min(1, Math.max(-1, p[1] / r))), Math.atan2(p[0], p[2]));
    } else {
      const e = eyes[chart - 1];
      col = eyeAlbedo(a, (p[2] - e.c[2]) / e.r);
    }
    const tx = samples.texel[i * 2], ty = samples.texel[i * 2 + 1];
    const o = ty * W + tx;
    for (let k = 0; k < 3; k++) data[o * 3 + k] = Math.min(1, Math.max(0, col[k]));
    filled[o] = 1;
  }
  dilate(data, filled, W, H, 4);
  return { data, width: W, height: H, channels: 3 };
}

/** UV texel samples of the model's layout (shared by all identities of a set). */
export function uvSamplesFor(model: SyntheticFlame, size: number): ReturnType<typeof sampleUvTexels> {
  return sampleUvTexels(model.uv.uvs, model.uv.faceUvs, size, size);
}

/** Grows painted regions by `passes` texels: each empty texel takes the mean of its painted 4-neighbours. */
function dilate(data: Float32Array, filled: Uint8Array, W: number, H: number, passes: number): void {
  for (let pass = 0; pass < passes; pass++) {
    const add: number[] = [];
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const o = y * W + x;
        if (filled[o]) continue;
        let cnt = 0;
        const acc = [0, 0, 0];
        for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
          const nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= W || ny >= H || filled[ny * W + nx] !== 1) continue;
          cnt++;
          for (let k = 0; k < 3; k++) acc[k] += data[(ny * W + nx) * 3 + k];
        }
        if (cnt) {
          for (let k = 0; k < 3; k++) data[o * 3 + k] = acc[k] / cnt;
          add.push(o);
        }
      }
    }
    for (const o of add) filled[o] = 1;
  }
}
