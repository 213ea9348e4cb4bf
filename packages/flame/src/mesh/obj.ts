import { HeadsplatError } from '@headsplat/core';
import type { TriMesh } from './subdivide.js';

/**
 * Wavefront OBJ with texture coordinates: `v x y z`, `vt u v`, `f a/ta b/tb c/tc` (1-based,
 * negative indices relative to the end, `a//n` and `a/t/n` accepted; normals are ignored).
 * Polygons are triangulated as fans. All faces must carry UVs or none.
 * @see https://paulbourke.net/dataformats/obj/
 */
export function parseObj(text: string): TriMesh {
  const pos: number[] = [], uv: number[] = [], faces: number[] = [], faceUvs: number[] = [];
  let withUv: boolean | undefined;
  const lines = text.split(/\r?\n/);
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln].trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    const bad = (what: string): never => {
      throw new HeadsplatError(`parseObj: line ${ln + 1} must be ${what}, got '${line}'`);
    };
    switch (parts[0]) {
      case 'v': {
        const p = parts.slice(1, 4).map(Number);
        if (p.length < 3 || p.some((x) => !Number.isFinite(x))) bad('v x y z with three finite numbers');
        pos.push(...p);
        break;
      }
      case 'vt': {
        const t = parts.slice(1, 3).map(Number);
        if (t.length < 2 || t.some((x) => !Number.isFinite(x))) bad('vt u v with two finite numbers');
        uv.push(...t);
        break;
      }
      case 'f': {
        if (parts.length < 4) bad('a face with at least 3 vertices');
        const vs: number[] = [], ts: number[] = [];
        for (const c of parts.slice(1)) {
          const [a, t] = c.split('/');
          const vi = resolve(Number(a), pos.length / 3);
          if (vi < 0) bad(`a face whose vertex indices exist (1..${pos.length / 3})`);
          vs.push(vi);
          if (t !== undefined && t !== '') {
            const ti = resolve(Number(t), uv.length / 2);
            if (ti < 0) bad(`a face whose texture indices exist (1..${uv.length / 2})`);
            ts.push(ti);
          }
        }
        const has = ts.length > 0;
        if (has && ts.length !== vs.length) bad('a face with a texture index on every vertex or none');
        if (withUv === undefined) withUv = has;
        else if (withUv !== has) bad(`a face ${withUv ? 'with' : 'without'} texture indices like the first face`);
        for (let k = 1; k + 1 < vs.length; k++) {
          faces.push(vs[0], vs[k], vs[k + 1]);
          if (has) faceUvs.push(ts[0], ts[k], ts[k + 1]);
        }
        break;
      }
      default:
        break; // vn, g, o, s, usemtl, mtllib: not needed
    }
  }
  const mesh: TriMesh = { positions: Float32Array.from(pos), faces: Int32Array.from(faces) };
  if (withUv) {
    mesh.uvs = Float32Array.from(uv);
    mesh.faceUvs = Int32Array.from(faceUvs);
  }
  return mesh;
}

function resolve(i: number, n: number): number {
  if (!Number.isInteger(i) || i === 0) return -1;
  const r = i > 0 ? i - 1 : n + i;
  return r >= 0 && r < n ? r : -1;
}

/** Writes a triangle mesh (with UVs when present) as OBJ text; numbers keep float32 precision. */
export function writeObj(mesh: TriMesh): string {
  const out: string[] = [];
  const P = mesh.positions;
  for (let v = 0; v < P.length / 3; v++) out.push(`v ${num(P[v * 3])} ${num(P[v * 3 + 1])} ${num(P[v * 3 + 2])}`);
  const withUv = !!(mesh.uvs && mesh.faceUvs);
  if (withUv) for (let t = 0; t < mesh.uvs!.length / 2; t++) out.push(`vt ${num(mesh.uvs![t * 2])} ${num(mesh.uvs![t * 2 + 1])}`);
  const F = mesh.faces;
  for (let f = 0; f < F.length / 3; f++) {
    const c = [0, 1, 2].map((k) => (withUv ? `${F[f * 3 + k] + 1}/${mesh.faceUvs![f * 3 + k] + 1}` : `${F[f * 3 + k] + 1}`));
    out.push(`f ${c.join(' ')}`);
  }
  return out.join('\n') + '\n';
}

/** Shortest decimal that reads back as the same float32. */
function num(x: number): string {
  for (let p = 6; p < 10; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === Math.fround(x)) return String(Number(s));
  }
  return String(x);
}
