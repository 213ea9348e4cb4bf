import { flameFail } from './errors.js';

/** A part: a name and the FLAME mask names (vertex index sets) whose union defines it. */
export interface PartDefinition {
  name: string;
  masks: string[];
}

/**
 * Default parts, in priority order: small, specific regions first so that they win over the
 * broad 'face' region that contains them; the broad 'hair' and 'neck' last. Mask names are
 * FLAME_masks.pkl's.
 */
export const DEFAULT_FLAME_PARTS: readonly PartDefinition[] = [
  { name: 'eyes', masks: ['left_eyeball', 'right_eyeball'] },
  { name: 'mouth', masks: ['lips'] },
  { name: 'nose', masks: ['nose'] },
  { name: 'eye_region', masks: ['left_eye_region', 'right_eye_region', 'eye_region'] },
  { name: 'ears', masks: ['left_ear', 'right_ear'] },
  { name: 'face', masks: ['face', 'forehead'] },
  { name: 'hair', masks: ['scalp'] },
  { name: 'neck', masks: ['neck', 'boundary'] },
];

export interface AssignPartsOptions {
  /** Parts in priority order (default DEFAULT_FLAME_PARTS). */
  parts?: readonly PartDefinition[];
  /** A triangle belongs to a part when at least this many of its 3 vertices are in the part (default 2). */
  minVertices?: 1 | 2 | 3;
  /** Name of the part that takes triangles no part claims (default 'rest'). */
  fallback?: string;
  /** Named face masks (face indices) that override vertex masks: a listed face goes to that part first. */
  faceMasks?: Record<string, ArrayLike<number>>;
}

export interface PartAssignment {
  /** Part names; index = part id. The fallback part is last. */
  names: string[];
  /** (F,) part id of each triangle (each triangle has exactly one). */
  faceParts: Int32Array;
  /** Number of triangles of each part. */
  counts: Int32Array;
}

/**
 * Assigns each triangle to exactly one part. Priority: (1) `faceMasks`, in the order of
 * `parts` (a face listed under a part name); (2) the first part in `parts` order whose vertex
 * masks contain at least `minVertices` of the triangle's vertices; (3) the fallback part.
 * Masks missing from `masks` are treated as empty, so one part list serves FLAME and other
 * meshes; unknown names in `faceMasks` are an error.
 */
export function assignFaceParts(faces: ArrayLike<number>, numVertices: number, masks: Record<string, ArrayLike<number>>, options: AssignPartsOptions = {}): PartAssignment {
  const fn = 'assignFaceParts';
  const parts = options.parts ?? DEFAULT_FLAME_PARTS;
  const minV = options.minVertices ?? 2;
  if (![1, 2, 3].includes(minV)) flameFail(fn, 'options.minVertices', '1, 2 or 3', minV);
  const fallback = options.fallback ?? 'rest';
  const names = parts.map((p) => p.name);
  if (new Set(names).size !== names.length) flameFail(fn, 'options.parts', 'parts with distinct names', names);
  if (names.includes(fallback)) flameFail(fn, 'options.fallback', `a name not used by a part (${names.join(', ')})`, fallback);
  const F = faces.length / 3;
  const inPart = parts.map((p) => {
    const set = new Uint8Array(numVertices);
    for (const m of p.masks) {
      const idx = masks[m];
      if (!idx) continue;
      for (let i = 0; i < idx.length; i++) {
        const v = idx[i];
        if (!(v >= 0 && v < numVertices)) flameFail(fn, `masks.${m}`, `vertex indices in [0, ${numVertices})`, v);
        set[v] = 1;
      }
    }
    return set;
  });
  const faceParts = new Int32Array(F).fill(-1);
  for (const name of Object.keys(options.faceMasks ?? {})) {
    const p = names.indexOf(name);
    if (p < 0) flameFail(fn, `options.faceMasks.${name}`, `named after a part (${names.join(', ')})`, name);
  }
  for (let p = 0; p < parts.length; p++) {
    const idx = options.faceMasks?.[parts[p].name];
    if (!idx) continue;
    for (let i = 0; i < idx.length; i++) {
      const f = idx[i];
      if (!(f >= 0 && f < F)) flameFail(fn, `options.faceMasks.${parts[p].name}`, `face indices in [0, ${F})`, f);
      if (faceParts[f] < 0) faceParts[f] = p;
    }
  }
  for (let f = 0; f < F; f++) {
    if (faceParts[f] >= 0) continue;
    let part = parts.length;
    for (let p = 0; p < parts.length; p++) {
      const s = inPart[p];
      if (s[faces[f * 3]] + s[faces[f * 3 + 1]] + s[faces[f * 3 + 2]] >= minV) {
        part = p;
        break;
      }
    }
    faceParts[f] = part;
  }
  const counts = new Int32Array(parts.length + 1);
  for (let f = 0; f < F; f++) counts[faceParts[f]]++;
  return { names: [...names, fallback], faceParts, counts };
}
