/**
 * Input validation shared by the CPU reference and the WebGPU rasterizer. Every check
 * throws a `MeshRasterInputError` naming the function, the argument, what was expected
 * and what was received, e.g.
 *   `rasterizeCpu: mesh.faces: expected indices in [0, V) = [0, 4), got 7 at index 5`.
 * Nothing is clamped or dropped silently.
 */

import type { Camera, Mesh, Texture, TextureWrap } from './types.js';

export class MeshRasterInputError extends Error {
  constructor(
    readonly fn: string,
    readonly argument: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${fn}: ${argument}: expected ${expected}, got ${actual}`);
    this.name = 'MeshRasterInputError';
  }
}

/** Camera with defaults resolved and [R | t] extracted (R row-major). */
export interface CameraInfo {
  R: Float64Array;
  t: Float64Array;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  width: number;
  height: number;
  near: number;
  far: number;
}

export const DEFAULT_NEAR = 0.01;
export const DEFAULT_FAR = 1e10;

type NumArray = ArrayLike<number>;

export function describe(x: unknown): string {
  if (x === undefined) return 'undefined';
  if (x === null) return 'null';
  if (typeof x === 'number' || typeof x === 'string') return String(x);
  if (ArrayBuffer.isView(x) || Array.isArray(x)) return `${x.constructor.name} of length ${(x as NumArray).length}`;
  return typeof x;
}

function isNumArray(x: unknown): x is NumArray {
  return (ArrayBuffer.isView(x) && !(x instanceof DataView)) || Array.isArray(x);
}

/** Checks that `arr` is a numeric array of `length` finite values. */
export function checkFiniteArray(fn: string, arg: string, arr: unknown, length: number, lengthHint = ''): void {
  if (!isNumArray(arr)) throw new MeshRasterInputError(fn, arg, 'a Float32Array / Float64Array', describe(arr));
  if (arr.length !== length) throw new MeshRasterInputError(fn, arg, `length ${lengthHint}${length}`, `${arr.length}`);
  for (let i = 0; i < arr.length; i++) {
    if (!Number.isFinite(arr[i])) throw new MeshRasterInputError(fn, arg, 'finite values', `${arr[i]} at index ${i}`);
  }
}

function checkFiniteNumber(fn: string, arg: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new MeshRasterInputError(fn, arg, 'a finite number', describe(x));
  return x;
}

export function checkPositiveInteger(fn: string, arg: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x <= 0) throw new MeshRasterInputError(fn, arg, 'a positive integer', describe(x));
  return x;
}

/** Validates a camera; only the top three rows of `viewMatrix` are used. */
export function validateCamera(fn: string, camera: Camera): CameraInfo {
  if (camera === null || typeof camera !== 'object') throw new MeshRasterInputError(fn, 'camera', 'an object', describe(camera));
  checkFiniteArray(fn, 'camera.viewMatrix', camera.viewMatrix, 16);
  const fx = checkFiniteNumber(fn, 'camera.fx', camera.fx);
  const fy = checkFiniteNumber(fn, 'camera.fy', camera.fy);
  if (fx <= 0) throw new MeshRasterInputError(fn, 'camera.fx', 'a positive focal length in pixels', `${fx}`);
  if (fy <= 0) throw new MeshRasterInputError(fn, 'camera.fy', 'a positive focal length in pixels', `${fy}`);
  const cx = checkFiniteNumber(fn, 'camera.cx', camera.cx);
  const cy = checkFiniteNumber(fn, 'camera.cy', camera.cy);
  const width = checkPositiveInteger(fn, 'camera.width', camera.width);
  const height = checkPositiveInteger(fn, 'camera.height', camera.height);
  const near = checkFiniteNumber(fn, 'camera.near', camera.near ?? DEFAULT_NEAR);
  const far = checkFiniteNumber(fn, 'camera.far', camera.far ?? DEFAULT_FAR);
  if (near < 0) throw new MeshRasterInputError(fn, 'camera.near', 'near >= 0', `${near}`);
  if (!(far > near)) throw new MeshRasterInputError(fn, 'camera.far', `far > near (${near})`, `${far}`);
  const v = camera.viewMatrix;
  const R = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) R[r * 3 + c] = v[c * 4 + r];
  const t = Float64Array.of(v[12], v[13], v[14]);
  return { R, t, fx, fy, cx, cy, width, height, near, far };
}

/** Validates a mesh; returns its vertex and face counts. */
export function validateMesh(fn: string, mesh: Mesh, arg = 'mesh'): { V: number; F: number } {
  if (mesh === null || typeof mesh !== 'object') throw new MeshRasterInputError(fn, arg, 'an object { positions, faces }', describe(mesh));
  const p = mesh.positions;
  if (!isNumArray(p) || p.length % 3 !== 0) {
    throw new MeshRasterInputError(fn, `${arg}.positions`, 'a Float32Array / Float64Array of length 3 * V', describe(p));
  }
  const V = p.length / 3;
  checkFiniteArray(fn, `${arg}.positions`, p, 3 * V);
  const F = validateFaces(fn, mesh.faces, V, `${arg}.faces`);
  return { V, F };
}

/** Validates an (F, 3) index array against V vertices; returns F. */
export function validateFaces(fn: string, faces: unknown, V: number, arg = 'faces'): number {
  if (!(faces instanceof Uint32Array) && !(faces instanceof Int32Array)) {
    throw new MeshRasterInputError(fn, arg, 'a Uint32Array / Int32Array of length 3 * F', describe(faces));
  }
  if (faces.length % 3 !== 0) throw new MeshRasterInputError(fn, arg, 'a length divisible by 3', `${faces.length}`);
  for (let i = 0; i < faces.length; i++) {
    const k = faces[i];
    if (k < 0 || k >= V) throw new MeshRasterInputError(fn, arg, `indices in [0, V) = [0, ${V})`, `${k} at index ${i}`);
  }
  return faces.length / 3;
}

/** Validates a rasterizer output against the camera size and the face count. */
export function validateRaster(fn: string, rast: { width: number; height: number; triId: Int32Array; bary: NumArray; depth: NumArray }, width: number, height: number, F: number): void {
  if (rast === null || typeof rast !== 'object') throw new MeshRasterInputError(fn, 'rast', 'a RasterOutput', describe(rast));
  if (rast.width !== width || rast.height !== height) {
    throw new MeshRasterInputError(fn, 'rast', `a ${width}x${height} raster (from the camera)`, `${rast.width}x${rast.height}`);
  }
  const P = width * height;
  if (!(rast.triId instanceof Int32Array) || rast.triId.length !== P) throw new MeshRasterInputError(fn, 'rast.triId', `an Int32Array of length H * W = ${P}`, describe(rast.triId));
  for (let i = 0; i < P; i++) {
    if (rast.triId[i] < -1 || rast.triId[i] >= F) throw new MeshRasterInputError(fn, 'rast.triId', `ids in [-1, F) = [-1, ${F})`, `${rast.triId[i]} at pixel ${i}`);
  }
  checkFiniteArray(fn, 'rast.bary', rast.bary, 2 * P, 'H * W * 2 = ');
  checkFiniteArray(fn, 'rast.depth', rast.depth, P, 'H * W = ');
}

export function validateTexture(fn: string, tex: Texture, arg = 'texture'): void {
  if (tex === null || typeof tex !== 'object') throw new MeshRasterInputError(fn, arg, 'an object { data, width, height, channels }', describe(tex));
  checkPositiveInteger(fn, `${arg}.width`, tex.width);
  checkPositiveInteger(fn, `${arg}.height`, tex.height);
  checkPositiveInteger(fn, `${arg}.channels`, tex.channels);
  checkFiniteArray(fn, `${arg}.data`, tex.data, tex.width * tex.height * tex.channels, 'height * width * channels = ');
}

export function validateWrap(fn: string, wrap: unknown): TextureWrap {
  if (wrap === undefined) return 'wrap';
  if (wrap !== 'wrap' && wrap !== 'clamp') throw new MeshRasterInputError(fn, 'options.wrap', "'wrap' or 'clamp'", describe(wrap));
  return wrap;
}
