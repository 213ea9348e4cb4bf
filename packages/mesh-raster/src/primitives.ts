/**
 * Small procedural meshes for tests and examples.
 */

import type { Mesh } from './types.js';

/**
 * Unit icosphere: an icosahedron whose faces are split `subdivisions` times (each split
 * turns a face into four), vertices pushed onto the unit sphere. Faces wind
 * counter-clockwise seen from outside. 0 -> 12 vertices / 20 faces, 1 -> 42 / 80,
 * 2 -> 162 / 320.
 */
export function icosphere(subdivisions = 1): { positions: Float64Array; faces: Uint32Array } {
  const t = (1 + Math.sqrt(5)) / 2;
  const verts: number[][] = [
    [-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0],
    [0, -1, t], [0, 1, t], [0, -1, -t], [0, 1, -t],
    [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1],
  ].map(([x, y, z]) => {
    const l = Math.hypot(x, y, z);
    return [x / l, y / l, z / l];
  });
  let faces: number[][] = [
    [0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11],
    [1, 5, 9], [5, 11, 4], [11, 10, 2], [10, 7, 6], [7, 1, 8],
    [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9],
    [4, 9, 5], [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1],
  ];
  for (let s = 0; s < subdivisions; s++) {
    const mid = new Map<string, number>();
    const midpoint = (a: number, b: number): number => {
      const key = a < b ? `${a},${b}` : `${b},${a}`;
      const hit = mid.get(key);
      if (hit !== undefined) return hit;
      const m = [0, 1, 2].map((k) => (verts[a][k] + verts[b][k]) / 2);
      const l = Math.hypot(m[0], m[1], m[2]);
      verts.push([m[0] / l, m[1] / l, m[2] / l]);
      mid.set(key, verts.length - 1);
      return verts.length - 1;
    };
    faces = faces.flatMap(([a, b, c]) => {
      const ab = midpoint(a, b), bc = midpoint(b, c), ca = midpoint(c, a);
      return [[a, ab, ca], [b, bc, ab], [c, ca, bc], [ab, bc, ca]];
    });
  }
  return { positions: Float64Array.from(verts.flat()), faces: Uint32Array.from(faces.flat()) };
}

/** A copy of `mesh` with positions transformed by p -> scale * p + offset (per axis). */
export function transformMesh(mesh: Mesh, scale: [number, number, number], offset: [number, number, number] = [0, 0, 0]): { positions: Float64Array; faces: Uint32Array | Int32Array } {
  const p = Float64Array.from(mesh.positions);
  for (let i = 0; i < p.length; i++) p[i] = p[i] * scale[i % 3] + offset[i % 3];
  return { positions: p, faces: mesh.faces };
}
