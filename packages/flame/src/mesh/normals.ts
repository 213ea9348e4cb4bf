/**
 * Face and vertex normals of a triangle mesh on plain arrays. Vertex normals are the
 * area-weighted mean of the adjacent face normals (the unnormalised cross products summed),
 * as trimesh/PyTorch3D compute them.
 */

/** (F, 3) unit face normals, right-handed (counter-clockwise faces point outward). Degenerate faces get 0. */
export function faceNormals(positions: ArrayLike<number>, faces: ArrayLike<number>): Float32Array {
  const F = faces.length / 3;
  const out = new Float32Array(F * 3);
  for (let f = 0; f < F; f++) {
    const n = faceCross(positions, faces, f);
    const l = Math.hypot(n[0], n[1], n[2]);
    if (l > 0) for (let c = 0; c < 3; c++) out[f * 3 + c] = n[c] / l;
  }
  return out;
}

/** (V, 3) unit vertex normals (area-weighted). Vertices on no face get 0. */
export function vertexNormals(positions: ArrayLike<number>, faces: ArrayLike<number>): Float32Array {
  const V = positions.length / 3;
  const acc = new Float64Array(V * 3);
  for (let f = 0; f < faces.length / 3; f++) {
    const n = faceCross(positions, faces, f);
    for (let k = 0; k < 3; k++) {
      const v = faces[f * 3 + k];
      acc[v * 3] += n[0]; acc[v * 3 + 1] += n[1]; acc[v * 3 + 2] += n[2];
    }
  }
  const out = new Float32Array(V * 3);
  for (let v = 0; v < V; v++) {
    const l = Math.hypot(acc[v * 3], acc[v * 3 + 1], acc[v * 3 + 2]);
    if (l > 0) for (let c = 0; c < 3; c++) out[v * 3 + c] = acc[v * 3 + c] / l;
  }
  return out;
}

/** (F,) triangle areas. */
export function faceAreas(positions: ArrayLike<number>, faces: ArrayLike<number>): Float64Array {
  const F = faces.length / 3;
  const out = new Float64Array(F);
  for (let f = 0; f < F; f++) {
    const n = faceCross(positions, faces, f);
    out[f] = 0.5 * Math.hypot(n[0], n[1], n[2]);
  }
  return out;
}

/** (b − a) × (c − a) of face f. */
export function faceCross(p: ArrayLike<number>, faces: ArrayLike<number>, f: number): [number, number, number] {
  const a = faces[f * 3] * 3, b = faces[f * 3 + 1] * 3, c = faces[f * 3 + 2] * 3;
  const ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
  const vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
  return [uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx];
}
