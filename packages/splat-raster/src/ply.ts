/**
 * PLY import / export of standard 3DGS scene files (the INRIA layout written by
 * `GaussianModel.save_ply` of graphdeco-inria/gaussian-splatting).
 *
 * File layout: `format binary_little_endian 1.0`, one `vertex` element of float32
 * properties in this order:
 *   x y z nx ny nz f_dc_0..2 f_rest_0..(3 (K - 1) - 1) opacity scale_0..2 rot_0..3
 * with K = (degree + 1)^2 SH coefficients per channel and stored (pre-activation) values:
 * opacity is a logit, scales are log-scales, rot is the unnormalised quaternion (w, x, y, z),
 * f_dc_c is the degree-0 coefficient of channel c, and f_rest is channel-major:
 * f_rest_{c (K - 1) + (k - 1)} is coefficient k >= 1 of channel c (the official writer
 * flattens features_rest transposed to (N, 3, K - 1)). Normals are written as zeros.
 *
 * API
 * - `readPly(bytes) -> { scene, shDegree }`  activated scene (sigmoid opacities, exp scales,
 *   SH colours in our (N, K, 3) layout); properties are found by name, so their order and
 *   extra properties do not matter; other elements are skipped.
 * - `writePly(scene) -> Uint8Array`           the official layout, float32. A scene with RGB
 *   colours (shDegree undefined) is written as degree-0 SH (dc = (rgb - 0.5) / C0, which
 *   renders the same colour); feature channels are not part of the format and are not written.
 * Errors (`PlyFormatError`) name the function and what was expected / found.
 */

import { rgbToShDc, shCoeffCount } from './sh.js';
import type { GaussianScene } from './types.js';
import { validateScene } from './validate.js';

export class PlyFormatError extends Error {
  constructor(fn: string, what: string, expected: string, actual: string) {
    super(`${fn}: ${what}: expected ${expected}, got ${actual}`);
    this.name = 'PlyFormatError';
  }
}

export interface PlyScene {
  scene: GaussianScene & { shDegree: 0 | 1 | 2 | 3 };
  shDegree: 0 | 1 | 2 | 3;
}

const TYPE_SIZES: Record<string, number> = {
  char: 1, int8: 1, uchar: 1, uint8: 1,
  short: 2, int16: 2, ushort: 2, uint16: 2,
  int: 4, int32: 4, uint: 4, uint32: 4,
  float: 4, float32: 4, double: 8, float64: 8,
};

interface PlyProperty {
  name: string;
  type: string;
  offset: number;
}

interface PlyElement {
  name: string;
  count: number;
  properties: PlyProperty[];
  stride: number;
}

function readScalar(view: DataView, offset: number, type: string): number {
  switch (type) {
    case 'char': case 'int8': return view.getInt8(offset);
    case 'uchar': case 'uint8': return view.getUint8(offset);
    case 'short': case 'int16': return view.getInt16(offset, true);
    case 'ushort': case 'uint16': return view.getUint16(offset, true);
    case 'int': case 'int32': return view.getInt32(offset, true);
    case 'uint': case 'uint32': return view.getUint32(offset, true);
    case 'float': case 'float32': return view.getFloat32(offset, true);
    default: return view.getFloat64(offset, true);
  }
}

function parseHeader(bytes: Uint8Array): { elements: PlyElement[]; bodyOffset: number } {
  const fn = 'readPly';
  const marker = 'end_header';
  // The header is ASCII; decode a bounded prefix to find its end.
  const prefix = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 1 << 16)));
  if (!prefix.startsWith('ply')) throw new PlyFormatError(fn, 'magic', '"ply" at the start of the file', JSON.stringify(prefix.slice(0, 8)));
  const end = prefix.indexOf(marker);
  if (end < 0) throw new PlyFormatError(fn, 'header', `an "${marker}" line within 64 KiB`, 'none');
  let bodyOffset = end + marker.length;
  if (prefix[bodyOffset] === '\r') bodyOffset++;
  if (prefix[bodyOffset] !== '\n') throw new PlyFormatError(fn, 'header', 'a newline after end_header', JSON.stringify(prefix[bodyOffset]));
  bodyOffset++;

  const lines = prefix.slice(0, end).split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const elements: PlyElement[] = [];
  let format = '';
  for (const line of lines.slice(1)) {
    const words = line.split(/\s+/);
    if (words[0] === 'format') {
      format = words.slice(1).join(' ');
    } else if (words[0] === 'element') {
      elements.push({ name: words[1], count: Number(words[2]), properties: [], stride: 0 });
    } else if (words[0] === 'property') {
      const el = elements[elements.length - 1];
      if (!el) throw new PlyFormatError(fn, 'header', 'an element line before properties', JSON.stringify(line));
      if (words[1] === 'list') {
        throw new PlyFormatError(fn, `element "${el.name}"`, 'fixed-size scalar properties (list properties are not supported)', JSON.stringify(line));
      }
      const size = TYPE_SIZES[words[1]];
      if (size === undefined) throw new PlyFormatError(fn, `property "${words[2]}"`, 'a PLY scalar type', JSON.stringify(words[1]));
      el.properties.push({ name: words[2], type: words[1], offset: el.stride });
      el.stride += size;
    } else if (words[0] !== 'comment' && words[0] !== 'obj_info') {
      throw new PlyFormatError(fn, 'header', 'format / element / property / comment lines', JSON.stringify(line));
    }
  }
  if (format !== 'binary_little_endian 1.0') {
    throw new PlyFormatError(fn, 'format', '"binary_little_endian 1.0" (ascii and big-endian PLY are not supported)', JSON.stringify(format));
  }
  for (const el of elements) {
    if (!Number.isInteger(el.count) || el.count < 0) throw new PlyFormatError(fn, `element "${el.name}" count`, 'a non-negative integer', String(el.count));
  }
  return { elements, bodyOffset };
}

/** Number of f_rest properties for a degree: 3 ((degree + 1)^2 - 1). */
function restCount(degree: number): number {
  return 3 * (shCoeffCount(degree) - 1);
}

export function readPly(bytes: Uint8Array): PlyScene {
  const fn = 'readPly';
  const { elements, bodyOffset } = parseHeader(bytes);
  const vertexIndex = elements.findIndex((e) => e.name === 'vertex');
  if (vertexIndex < 0) throw new PlyFormatError(fn, 'elements', 'a "vertex" element', JSON.stringify(elements.map((e) => e.name)));
  let offset = bodyOffset;
  for (let e = 0; e < vertexIndex; e++) offset += elements[e].count * elements[e].stride;
  const vertex = elements[vertexIndex];
  const n = vertex.count;
  if (offset + n * vertex.stride > bytes.length) {
    throw new PlyFormatError(fn, 'body', `${n * vertex.stride} bytes of vertex data at offset ${offset}`, `a file of ${bytes.length} bytes`);
  }

  const props = new Map(vertex.properties.map((p) => [p.name, p]));
  const nRest = vertex.properties.filter((p) => /^f_rest_\d+$/.test(p.name)).length;
  const degree = [0, 1, 2, 3].find((d) => restCount(d) === nRest);
  if (degree === undefined) {
    throw new PlyFormatError(fn, 'f_rest properties', 'a count of 0, 9, 24 or 45 (SH degree 0 to 3)', String(nRest));
  }
  const required = [
    'x', 'y', 'z', 'f_dc_0', 'f_dc_1', 'f_dc_2', 'opacity', 'scale_0', 'scale_1', 'scale_2',
    'rot_0', 'rot_1', 'rot_2', 'rot_3',
    ...Array.from({ length: nRest }, (_, j) => `f_rest_${j}`),
  ];
  const missing = required.filter((name) => !props.has(name));
  if (missing.length > 0) {
    throw new PlyFormatError(fn, 'vertex properties', 'the 3DGS layout (x y z f_dc_* f_rest_* opacity scale_* rot_*)', `missing ${missing.join(', ')}`);
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const K = shCoeffCount(degree);
  const means = new Float32Array(3 * n);
  const quats = new Float32Array(4 * n);
  const scales = new Float32Array(3 * n);
  const opacities = new Float32Array(n);
  const colors = new Float32Array(3 * K * n);
  const at = (name: string, i: number): number => {
    const p = props.get(name)!;
    return readScalar(view, offset + i * vertex.stride + p.offset, p.type);
  };
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      means[3 * i + a] = at('xyz'[a], i);
      scales[3 * i + a] = Math.exp(at(`scale_${a}`, i));
      colors[3 * K * i + a] = at(`f_dc_${a}`, i);
      for (let k = 1; k < K; k++) colors[3 * K * i + 3 * k + a] = at(`f_rest_${a * (K - 1) + k - 1}`, i);
    }
    for (let a = 0; a < 4; a++) quats[4 * i + a] = at(`rot_${a}`, i);
    opacities[i] = 1 / (1 + Math.exp(-at('opacity', i)));
  }
  const shDegree = degree as 0 | 1 | 2 | 3;
  return { scene: { means, quats, scales, opacities, colors, shDegree }, shDegree };
}

/** Property names of the official layout for a degree, in file order. */
export function plyPropertyNames(degree: number): string[] {
  return [
    'x', 'y', 'z', 'nx', 'ny', 'nz', 'f_dc_0', 'f_dc_1', 'f_dc_2',
    ...Array.from({ length: restCount(degree) }, (_, j) => `f_rest_${j}`),
    'opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3',
  ];
}

export function writePly(scene: GaussianScene): Uint8Array {
  const info = validateScene('writePly', scene);
  const n = info.n;
  const degree = Math.max(0, info.shDegree);
  const K = shCoeffCount(degree);
  const names = plyPropertyNames(degree);
  const header =
    'ply\nformat binary_little_endian 1.0\n' +
    `element vertex ${n}\n` +
    names.map((name) => `property float ${name}\n`).join('') +
    'end_header\n';
  const headerBytes = new TextEncoder().encode(header);
  const stride = 4 * names.length;
  const out = new Uint8Array(headerBytes.length + n * stride);
  out.set(headerBytes);
  const body = new DataView(out.buffer, headerBytes.length);
  const rgb = info.shDegree < 0;
  for (let i = 0; i < n; i++) {
    const row: number[] = [scene.means[3 * i], scene.means[3 * i + 1], scene.means[3 * i + 2], 0, 0, 0];
    for (let c = 0; c < 3; c++) row.push(rgb ? rgbToShDc(scene.colors[3 * i + c]) : scene.colors[3 * K * i + c]);
    for (let c = 0; c < 3; c++) for (let k = 1; k < K; k++) row.push(scene.colors[3 * K * i + 3 * k + c]);
    const o = scene.opacities[i];
    row.push(Math.log(o / (1 - o)));
    for (let a = 0; a < 3; a++) row.push(Math.log(scene.scales[3 * i + a]));
    for (let a = 0; a < 4; a++) row.push(scene.quats[4 * i + a]);
    for (let j = 0; j < row.length; j++) body.setFloat32(i * stride + 4 * j, row[j], true);
  }
  return out;
}
