/**
 * Edge adjacency for silhouette detection in `antialias`: for each face f and local edge
 * k (from corner k to corner (k + 1) % 3), the vertex of the neighbouring face across
 * that edge, or -1 when the edge is a boundary or non-manifold (shared by > 2 faces).
 * An edge is a silhouette edge in a view when it has no such neighbour, or when the
 * neighbour's vertex projects onto the same side of the edge as the face's own opposite
 * vertex (the surface folds over there). That test needs no consistent winding.
 */

import { validateFaces } from './validate.js';

export interface EdgeTopology {
  /** Number of faces it was built for. */
  faceCount: number;
  /** (F, 3) opposite vertex across edge k of face f, or -1. */
  opposite: Int32Array;
}

export function buildEdgeTopology(faces: Uint32Array | Int32Array, vertexCount: number): EdgeTopology {
  const F = validateFaces('buildEdgeTopology', faces, vertexCount);
  const firstOwner = new Map<number, number>();
  const count = new Map<number, number>();
  const opposite = new Int32Array(3 * F).fill(-1);
  for (let f = 0; f < F; f++) {
    for (let k = 0; k < 3; k++) {
      const a = faces[3 * f + k];
      const b = faces[3 * f + ((k + 1) % 3)];
      const key = Math.min(a, b) * vertexCount + Math.max(a, b);
      count.set(key, (count.get(key) ?? 0) + 1);
      const slot = 3 * f + k;
      const prev = firstOwner.get(key);
      if (prev === undefined) firstOwner.set(key, slot);
      else {
        const pf = Math.floor(prev / 3);
        const pk = prev % 3;
        opposite[slot] = faces[3 * pf + ((pk + 2) % 3)];
        opposite[prev] = faces[3 * f + ((k + 2) % 3)];
      }
    }
  }
  // Non-manifold edges: every incident face treats them as silhouettes.
  for (let f = 0; f < F; f++) {
    for (let k = 0; k < 3; k++) {
      const a = faces[3 * f + k];
      const b = faces[3 * f + ((k + 1) % 3)];
      if ((count.get(Math.min(a, b) * vertexCount + Math.max(a, b)) ?? 0) > 2) opposite[3 * f + k] = -1;
    }
  }
  return { faceCount: F, opposite };
}
