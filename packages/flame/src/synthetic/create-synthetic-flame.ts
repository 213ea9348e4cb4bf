import { flameFail } from '../errors.js';
import { FLAME_PARENTS, type FlameModel } from '../flame-model.js';
import { buildHeadMesh, CHARTS } from './head-mesh.js';
import { SeededRandom } from './seeded-random.js';
import { buildExpressionBasis, buildPoseCorrectives, buildShapeBasis, SYNTHETIC_EXPRESSIONS } from './synthetic-blendshapes.js';
import { buildLandmarks } from './synthetic-landmarks.js';
import { buildMasks } from './synthetic-masks.js';
import { buildRegressor, buildWeights } from './synthetic-rig.js';

export interface SyntheticFlameOptions {
  /** Seed of the random bases (shape components >= 3, expressions >= 5, pose correctives). Default 0. */
  seed?: number;
  /** Shape components S (default 20, at most 300). */
  shapeComponents?: number;
  /** Expression components E (default 10, at least 0, at most 100). */
  expressionComponents?: number;
  /** Latitude rings of the head grid (default 48). */
  rings?: number;
  /** Longitude segments of the head grid (default 72). */
  segments?: number;
  /** Rings and segments of each eyeball (default 8 and 12). */
  eyeRings?: number;
  eyeSegments?: number;
}

export interface SyntheticFlameInfo {
  /** Indices of the semantic expression components (those below E exist). */
  expressions: typeof SYNTHETIC_EXPRESSIONS;
  /** Chart of each face: 0 head, 1 left eyeball, 2 right eyeball. */
  faceChart: Int32Array;
  /** UV rectangle [u0, v0, u1, v1] of each chart. */
  charts: readonly [number, number, number, number][];
  /** First vertex of the left and right eyeballs and their vertex count. */
  eyeStart: [number, number];
  eyeVertexCount: number;
  /** Head vertices (the grid, before the eyeballs). */
  numHeadVertices: number;
}

export type SyntheticFlame = FlameModel & { uv: NonNullable<FlameModel['uv']>; info: SyntheticFlameInfo };

function intOption(name: string, v: number | undefined, def: number, lo: number, hi: number): number {
  const x = v ?? def;
  if (!Number.isInteger(x) || x < lo || x > hi) flameFail('createSyntheticFlame', `options.${name}`, `an integer in [${lo}, ${hi}]`, x);
  return x;
}

/**
 * A small, plausible head in exactly FLAME's layout, deterministic per seed: a closed head
 * and neck with a nose, brows, eye sockets, lips, chin and ears, two separate eyeballs, the
 * 5-joint FLAME hierarchy, smooth skinning weights (global/neck blend down the neck, the jaw
 * owns the lower face, each eye its eyeball), smooth shape bases, semantic expressions
 * (see `SYNTHETIC_EXPRESSIONS`), pose correctives, a UV layout with three non-overlapping
 * charts (head unwrapped by azimuth with its seam at the back, one per eyeball), 68 landmarks
 * with a 79-bin dynamic contour, and FLAME-named vertex masks.
 * Default size: 3,458 head + 196 eyeball vertices, 7,296 faces.
 */
export function createSyntheticFlame(options: SyntheticFlameOptions = {}): SyntheticFlame {
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) flameFail('createSyntheticFlame', 'options.seed', 'an integer', seed);
  const S = intOption('shapeComponents', options.shapeComponents, 20, 0, 300);
  const E = intOption('expressionComponents', options.expressionComponents, 10, 0, 100);
  const mesh = buildHeadMesh({
    rings: intOption('rings', options.rings, 48, 6, 400),
    segments: intOption('segments', options.segments, 72, 8, 800),
    eyeRings: intOption('eyeRings', options.eyeRings, 8, 2, 100),
    eyeSegments: intOption('eyeSegments', options.eyeSegments, 12, 3, 200),
  });
  const V = mesh.positions.length / 3;
  const rng = new SeededRandom(seed);
  const jRegressor = buildRegressor(mesh);
  const joints = new Float64Array(15);
  for (let j = 0; j < 5; j++) {
    for (let v = 0; v < V; v++) {
      const w = jRegressor[j * V + v];
      if (w) for (let c = 0; c < 3; c++) joints[j * 3 + c] += w * mesh.positions[v * 3 + c];
    }
  }
  const shapedirs = buildShapeBasis(mesh, S, rng);
  const exprdirs = buildExpressionBasis(mesh, E, rng);
  const posedirs = buildPoseCorrectives(mesh, joints, rng);
  return {
    numVertices: V,
    numFaces: mesh.faces.length / 3,
    numShape: S,
    numExpression: E,
    vTemplate: Float32Array.from(mesh.positions),
    shapedirs,
    exprdirs,
    posedirs,
    jRegressor,
    weights: buildWeights(mesh, joints),
    parents: Int32Array.from(FLAME_PARENTS),
    faces: mesh.faces,
    landmarks: buildLandmarks(mesh),
    uv: { uvs: mesh.uvs, faceUvs: mesh.faceUvs },
    masks: buildMasks(mesh),
    info: {
      expressions: SYNTHETIC_EXPRESSIONS,
      faceChart: mesh.faceChart,
      charts: CHARTS,
      eyeStart: mesh.eyeStart,
      eyeVertexCount: mesh.eyeVertexCount,
      numHeadVertices: mesh.numHeadVertices,
    },
  };
}
