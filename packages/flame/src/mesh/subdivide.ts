import { flameFail } from '../errors.js';

export interface TriMesh {
  /** (V, 3) positions. */
  positions: Float32Array;
  /** (F, 3) vertex indices. */
  faces: Int32Array;
  /** Optional (T, 2) texture coordinates. */
  uvs?: Float32Array;
  /** Optional (F, 3) indices into `uvs`. */
  faceUvs?: Int32Array;
}

export interface SubdividedMesh extends TriMesh {
  /**
   * (V', 2) the two parent vertices of each output vertex (both equal for an original
   * vertex): a new vertex is the midpoint of its parents, so any per-vertex attribute
   * (blendshapes, skinning weights) subdivides with `interpolateMidpoints`.
   */
  parents: Int32Array;
}

/**
 * Midpoint (1-to-4) subdivision: each triangle (a, b, c) becomes (a, ab, ca), (ab, b, bc),
 * (ca, bc, c), (ab, bc, ca), with one new vertex per edge shared by its two faces (and one new
 * UV per UV edge, so seams stay seams). Original vertices keep their indices; new ones follow.
 */
export function subdivideMidpoint(mesh: TriMesh): SubdividedMesh {
  const V = mesh.positions.length / 3;
  const F = mesh.faces.length / 3;
  if (mesh.faceUvs && mesh.faceUvs.length !== mesh.faces.length) flameFail('subdivideMidpoint', 'mesh.faceUvs', `of length ${mesh.faces.length} (one UV triple per face)`, mesh.faceUvs.length);
  const parents: number[] = [];
  for (let v = 0; v < V; v++) parents.push(v, v);
  const vMid = midpointTable(V, (a, b) => parents.push(a, b));
  const faces = new Int32Array(F * 12);
  const split = (src: ArrayLike<number>, dst: Int32Array, mid: (a: number, b: number) => number) => {
    for (let f = 0; f < F; f++) {
      const a = src[f * 3], b = src[f * 3 + 1], c = src[f * 3 + 2];
      const ab = mid(a, b), bc = mid(b, c), ca = mid(c, a);
      dst.set([a, ab, ca, ab, b, bc, ca, bc, c, ab, bc, ca], f * 12);
    }
  };
  split(mesh.faces, faces, vMid);
  const positions = new Float32Array(parents.length / 2 * 3);
  interpolateMidpoints(mesh.positions, 3, Int32Array.from(parents), positions);
  const out: SubdividedMesh = { positions, faces, parents: Int32Array.from(parents) };
  if (mesh.uvs && mesh.faceUvs) {
    const T = mesh.uvs.length / 2;
    const uvParents: number[] = [];
    for (let t = 0; t < T; t++) uvParents.push(t, t);
    const faceUvs = new Int32Array(F * 12);
    split(mesh.faceUvs, faceUvs, midpointTable(T, (a, b) => uvParents.push(a, b)));
    const uvs = new Float32Array(uvParents.length);
    interpolateMidpoints(mesh.uvs, 2, Int32Array.from(uvParents), uvs);
    out.uvs = uvs;
    out.faceUvs = faceUvs;
  }
  return out;
}

/** Per-vertex attribute (V, dim) -> (V', dim) for a subdivided mesh: the mean of the two parents. */
export function interpolateMidpoints(attr: ArrayLike<number>, dim: number, parents: Int32Array, out = new Float32Array((parents.length / 2) * dim)): Float32Array {
  for (let v = 0; v < parents.length / 2; v++) {
    const a = parents[v * 2], b = parents[v * 2 + 1];
    for (let k = 0; k < dim; k++) out[v * dim + k] = 0.5 * (attr[a * dim + k] + attr[b * dim + k]);
  }
  return out;
}

function midpointTable(n: number, create: (a: number, b: number) => void): (a: number, b: number) => number {
  const map = new Map<number, number>();
  let next = n;
  return (a, b) => {
    const key = Math.min(a, b) * n + Math.max(a, b);
    let m = map.get(key);
    if (m === undefined) {
      m = next++;
      map.set(key, m);
      create(Math.min(a, b), Math.max(a, b));
    }
    return m;
  };
}
