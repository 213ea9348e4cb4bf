/**
 * `MeshRasterizerWebGPU`: the WebGPU implementation on typed arrays (uploads, one command
 * buffer per call, read-back), with the same inputs, outputs and validation as the CPU
 * reference. Outputs are float32. Antialias has a GPU forward; its backward is CPU-only
 * (`antialiasBackwardCpu`).
 * @example
 * const gpu = createMeshRasterizer(device);
 * const rast = await gpu.rasterize({ positions, faces }, camera);
 * const rgb = await gpu.interpolate(colors, 3, faces, rast);
 */

import { gpuWait } from '@headsplat/gpu';
import { buildEdgeTopology, type EdgeTopology } from '../topology.js';
import type { Camera, IndexArray, Mesh, RasterGradOutputs, RasterOutput, Texture, TextureWrap } from '../types.js';
import {
  MeshRasterInputError,
  checkFiniteArray,
  checkPositiveInteger,
  validateCamera,
  validateFaces,
  validateMesh,
  validateRaster,
  validateTexture,
  validateWrap,
} from '../validate.js';
import { encodeAntialias } from './antialias.js';
import { packCamera } from './camera-uniform.js';
import { GpuContext } from './context.js';
import { encodeInterpolate, encodeInterpolateBackward } from './interpolate.js';
import { encodeProject, encodeRasterize } from './rasterize.js';
import { encodeRasterizeBackward } from './rasterize-backward.js';
import { encodeTexture, encodeTextureBackward } from './texture.js';

const f32 = (a: ArrayLike<number>): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a));
const u32 = (a: IndexArray): Uint32Array => (a instanceof Uint32Array ? a : new Uint32Array(a.buffer, a.byteOffset, a.length));

export class MeshRasterizerWebGPU {
  private readonly gpu: GpuContext;

  constructor(readonly device: GPUDevice) {
    this.gpu = new GpuContext(device);
  }

  /** Runs `record` in one command buffer, reads back the listed outputs, frees all buffers. */
  private async run<T extends Record<string, GPUBuffer>>(record: (enc: GPUCommandEncoder, temps: GPUBuffer[]) => T, sizes: { [K in keyof T]: number }): Promise<{ [K in keyof T]: ArrayBuffer }> {
    const temps: GPUBuffer[] = [];
    this.device.pushErrorScope('validation');
    const enc = this.device.createCommandEncoder();
    const outs = record(enc, temps);
    this.device.queue.submit([enc.finish()]);
    const error = await gpuWait(this.device, this.device.popErrorScope());
    const result = {} as { [K in keyof T]: ArrayBuffer };
    try {
      if (error) throw new Error(`MeshRasterizerWebGPU: internal WebGPU validation error: ${error.message}`);
      for (const k of Object.keys(outs) as (keyof T)[]) result[k] = await this.gpu.read(outs[k], sizes[k]);
    } finally {
      for (const b of temps) b.destroy();
      for (const k of Object.keys(outs)) outs[k].destroy();
    }
    return result;
  }

  async rasterize(mesh: Mesh, camera: Camera): Promise<RasterOutput> {
    const { V, F } = validateMesh('MeshRasterizerWebGPU.rasterize', mesh);
    const cam = validateCamera('MeshRasterizerWebGPU.rasterize', camera);
    const P = cam.width * cam.height;
    const r = await this.run(
      (enc, temps) => {
        const pos = this.gpu.storage(f32(mesh.positions));
        const faces = this.gpu.storage(u32(mesh.faces));
        const out = encodeRasterize(this.gpu, enc, pos, faces, V, F, cam, temps);
        temps.push(pos, faces, out.pc, out.scr);
        return { triId: out.triId, bary: out.bary, depth: out.depth };
      },
      { triId: 4 * P, bary: 8 * P, depth: 4 * P },
    );
    return { width: cam.width, height: cam.height, triId: new Int32Array(r.triId), bary: new Float32Array(r.bary), depth: new Float32Array(r.depth) };
  }

  private uploadRaster(rast: RasterOutput, temps: GPUBuffer[]): { width: number; height: number; triId: GPUBuffer; bary: GPUBuffer; depth: GPUBuffer } {
    const out = { width: rast.width, height: rast.height, triId: this.gpu.storage(rast.triId), bary: this.gpu.storage(f32(rast.bary)), depth: this.gpu.storage(f32(rast.depth)) };
    temps.push(out.triId, out.bary, out.depth);
    return out;
  }

  private checkInterp(fn: string, attributes: ArrayLike<number>, channels: number, faces: IndexArray, rast: RasterOutput): { V: number; F: number } {
    checkPositiveInteger(fn, 'channels', channels);
    if (attributes.length % channels !== 0) throw new MeshRasterInputError(fn, 'attributes', `a length divisible by channels = ${channels}`, `${attributes.length}`);
    const V = attributes.length / channels;
    checkFiniteArray(fn, 'attributes', attributes, V * channels);
    const F = validateFaces(fn, faces, V);
    validateRaster(fn, rast, rast.width, rast.height, F);
    return { V, F };
  }

  async interpolate(attributes: ArrayLike<number>, channels: number, faces: IndexArray, rast: RasterOutput): Promise<Float32Array> {
    const { F } = this.checkInterp('MeshRasterizerWebGPU.interpolate', attributes, channels, faces, rast);
    const P = rast.width * rast.height;
    const r = await this.run(
      (enc, temps) => {
        const attr = this.gpu.storage(f32(attributes));
        const fb = this.gpu.storage(u32(faces));
        temps.push(attr, fb);
        return { out: encodeInterpolate(this.gpu, enc, attr, channels, fb, F, this.uploadRaster(rast, temps), temps) };
      },
      { out: 4 * P * channels },
    );
    return new Float32Array(r.out);
  }

  async interpolateBackward(attributes: ArrayLike<number>, channels: number, faces: IndexArray, rast: RasterOutput, gradOut: ArrayLike<number>): Promise<{ attributes: Float32Array; bary: Float32Array }> {
    const fn = 'MeshRasterizerWebGPU.interpolateBackward';
    const { V } = this.checkInterp(fn, attributes, channels, faces, rast);
    const P = rast.width * rast.height;
    checkFiniteArray(fn, 'gradOut', gradOut, P * channels, 'H * W * C = ');
    const r = await this.run(
      (enc, temps) => {
        const attr = this.gpu.storage(f32(attributes));
        const fb = this.gpu.storage(u32(faces));
        const g = this.gpu.storage(f32(gradOut));
        temps.push(attr, fb, g);
        return encodeInterpolateBackward(this.gpu, enc, attr, channels, fb, faces, V, this.uploadRaster(rast, temps), g, temps);
      },
      { attributes: 4 * V * channels, bary: 8 * P },
    );
    return { attributes: new Float32Array(r.attributes), bary: new Float32Array(r.bary) };
  }

  /** dL/d positions (V, 3) for upstream gradients of `rast.bary` / `rast.depth`. */
  async rasterizeBackward(mesh: Mesh, camera: Camera, rast: RasterOutput, grads: RasterGradOutputs): Promise<Float32Array> {
    const fn = 'MeshRasterizerWebGPU.rasterizeBackward';
    const { V, F } = validateMesh(fn, mesh);
    const cam = validateCamera(fn, camera);
    validateRaster(fn, rast, cam.width, cam.height, F);
    const P = cam.width * cam.height;
    if (grads.bary !== undefined) checkFiniteArray(fn, 'grads.bary', grads.bary, 2 * P, 'H * W * 2 = ');
    if (grads.depth !== undefined) checkFiniteArray(fn, 'grads.depth', grads.depth, P, 'H * W = ');
    const r = await this.run(
      (enc, temps) => {
        const pos = this.gpu.storage(f32(mesh.positions));
        const faces = this.gpu.storage(u32(mesh.faces));
        const pc = this.gpu.storage(16 * V);
        const scr = this.gpu.storage(16 * V);
        const u = this.gpu.uniform(packCamera(cam, V, F, 0));
        const gB = this.gpu.storage(grads.bary ? f32(grads.bary) : new Float32Array(2 * P));
        const gZ = this.gpu.storage(grads.depth ? f32(grads.depth) : new Float32Array(P));
        temps.push(pos, faces, pc, scr, u, gB, gZ);
        encodeProject(this.gpu, enc, u, pos, V, pc, scr);
        const rb = this.uploadRaster(rast, temps);
        return { g: encodeRasterizeBackward(this.gpu, enc, cam, faces, mesh.faces, V, pc, rb.triId, rb.bary, gB, gZ, temps) };
      },
      { g: 12 * V },
    );
    // Camera -> world: R^T g.
    const gc = new Float32Array(r.g);
    const out = new Float32Array(3 * V);
    const R = cam.R;
    for (let i = 0; i < V; i++) {
      const a = gc[3 * i], b = gc[3 * i + 1], c = gc[3 * i + 2];
      out[3 * i] = R[0] * a + R[3] * b + R[6] * c;
      out[3 * i + 1] = R[1] * a + R[4] * b + R[7] * c;
      out[3 * i + 2] = R[2] * a + R[5] * b + R[8] * c;
    }
    return out;
  }

  async antialias(color: ArrayLike<number>, channels: number, rast: RasterOutput, mesh: Mesh, camera: Camera, options: { topology?: EdgeTopology } = {}): Promise<Float32Array> {
    const fn = 'MeshRasterizerWebGPU.antialias';
    const { V, F } = validateMesh(fn, mesh);
    const cam = validateCamera(fn, camera);
    validateRaster(fn, rast, cam.width, cam.height, F);
    const C = checkPositiveInteger(fn, 'channels', channels);
    const P = cam.width * cam.height;
    checkFiniteArray(fn, 'color', color, P * C, 'H * W * C = ');
    const topology = options.topology ?? buildEdgeTopology(mesh.faces, V);
    if (topology.faceCount !== F) throw new MeshRasterInputError(fn, 'options.topology', `a topology of F = ${F} faces`, `${topology.faceCount} faces`);
    const r = await this.run(
      (enc, temps) => {
        const pos = this.gpu.storage(f32(mesh.positions));
        const faces = this.gpu.storage(u32(mesh.faces));
        const pc = this.gpu.storage(16 * V);
        const scr = this.gpu.storage(16 * V);
        const u = this.gpu.uniform(packCamera(cam, V, F, 0));
        const opp = this.gpu.storage(topology.opposite);
        const col = this.gpu.storage(f32(color));
        temps.push(pos, faces, pc, scr, u, opp, col);
        encodeProject(this.gpu, enc, u, pos, V, pc, scr);
        const rb = this.uploadRaster(rast, temps);
        return { out: encodeAntialias(this.gpu, enc, cam, V, F, C, faces, scr, opp, rb.triId, rb.depth, col, temps) };
      },
      { out: 4 * P * C },
    );
    return new Float32Array(r.out);
  }

  async texture(tex: Texture, uv: ArrayLike<number>, options: { wrap?: TextureWrap } = {}): Promise<Float32Array> {
    const fn = 'MeshRasterizerWebGPU.texture';
    validateTexture(fn, tex);
    const wrap = validateWrap(fn, options.wrap);
    const n = this.checkUv(fn, uv);
    const r = await this.run(
      (enc, temps) => {
        const data = this.gpu.storage(f32(tex.data));
        const ub = this.gpu.storage(f32(uv));
        temps.push(data, ub);
        return { out: encodeTexture(this.gpu, enc, { ...tex, data }, ub, n, wrap, temps) };
      },
      { out: 4 * n * tex.channels },
    );
    return new Float32Array(r.out);
  }

  async textureBackward(tex: Texture, uv: ArrayLike<number>, gradOut: ArrayLike<number>, options: { wrap?: TextureWrap } = {}): Promise<{ texture: Float32Array; uv: Float32Array }> {
    const fn = 'MeshRasterizerWebGPU.textureBackward';
    validateTexture(fn, tex);
    const wrap = validateWrap(fn, options.wrap);
    const n = this.checkUv(fn, uv);
    checkFiniteArray(fn, 'gradOut', gradOut, n * tex.channels, 'N * channels = ');
    const r = await this.run(
      (enc, temps) => {
        const data = this.gpu.storage(f32(tex.data));
        const ub = this.gpu.storage(f32(uv));
        const g = this.gpu.storage(f32(gradOut));
        temps.push(data, ub, g);
        return encodeTextureBackward(this.gpu, enc, { ...tex, data }, ub, n, wrap, g, temps);
      },
      { texture: 4 * tex.data.length, uv: 8 * n },
    );
    return { texture: new Float32Array(r.texture), uv: new Float32Array(r.uv) };
  }

  private checkUv(fn: string, uv: ArrayLike<number>): number {
    if (uv === null || typeof uv !== 'object' || uv.length % 2 !== 0) throw new MeshRasterInputError(fn, 'uv', 'an (N, 2) Float32Array / Float64Array', uv ? `length ${uv.length}` : String(uv));
    checkFiniteArray(fn, 'uv', uv, uv.length);
    return uv.length / 2;
  }
}

export function createMeshRasterizer(device: GPUDevice): MeshRasterizerWebGPU {
  return new MeshRasterizerWebGPU(device);
}
