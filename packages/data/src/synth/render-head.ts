/**
 * Renders a textured, Lambert + ambient shaded mesh with @headsplat/mesh-raster:
 * rasterize -> interpolate UVs (with the UV faces) and vertex normals -> bilinear albedo
 * lookup -> shading -> composite over the background -> antialias (RGB and coverage
 * together, so the mask's silhouette is anti-aliased like the image's). The same steps run on
 * the float64 CPU reference or, given a device, on the WebGPU kernels; shading and
 * compositing are per-pixel host code shared by both.
 */
import {
  antialiasCpu, createMeshRasterizer, interpolateCpu, rasterizeCpu, textureCpu,
  type Camera, type EdgeTopology, type MeshRasterizerWebGPU, type RasterOutput,
} from '@headsplat/mesh-raster';
import type { CaptureLight } from '../types.js';
import type { AlbedoTexture } from './albedo.js';

export interface HeadMeshInput {
  /** (V, 3) posed positions. */
  positions: Float64Array;
  /** (V, 3) unit vertex normals of the posed mesh. */
  normals: ArrayLike<number>;
  faces: Int32Array;
  /** (T, 2) UVs and (F, 3) UV faces. */
  uvs: Float32Array;
  faceUvs: Int32Array;
  topology: EdgeTopology;
}

export interface RenderedImage {
  /** (H, W, 3) in [0, 1]. */
  rgb: Float32Array;
  /** (H, W) in [0, 1]. */
  mask: Float32Array;
}

/** Shading + compositing of interpolated normals and albedo into an (H, W, 4) RGB+coverage image. */
function shade(rast: RasterOutput, normals: ArrayLike<number>, albedo: ArrayLike<number>, light: CaptureLight, background: readonly number[]): Float64Array {
  const P = rast.width * rast.height;
  const out = new Float64Array(P * 4);
  const L = light.direction;
  for (let p = 0; p < P; p++) {
    if (rast.triId[p] < 0) {
      out[p * 4] = background[0]; out[p * 4 + 1] = background[1]; out[p * 4 + 2] = background[2];
      continue;
    }
    const nx = normals[p * 3], ny = normals[p * 3 + 1], nz = normals[p * 3 + 2];
    const nl = Math.hypot(nx, ny, nz) || 1;
    const s = light.ambient + light.diffuse * Math.max(0, (nx * L[0] + ny * L[1] + nz * L[2]) / nl);
    for (let k = 0; k < 3; k++) out[p * 4 + k] = Math.min(1, Math.max(0, albedo[p * 3 + k] * s));
    out[p * 4 + 3] = 1;
  }
  return out;
}

function split(img: ArrayLike<number>, P: number): RenderedImage {
  const rgb = new Float32Array(P * 3), mask = new Float32Array(P);
  for (let p = 0; p < P; p++) {
    for (let k = 0; k < 3; k++) rgb[p * 3 + k] = Math.min(1, Math.max(0, img[p * 4 + k]));
    mask[p] = Math.min(1, Math.max(0, img[p * 4 + 3]));
  }
  return { rgb, mask };
}

export function renderHeadCpu(mesh: HeadMeshInput, camera: Camera, texture: AlbedoTexture, light: CaptureLight, background: readonly number[]): RenderedImage {
  const m = { positions: mesh.positions, faces: mesh.faces };
  const rast = rasterizeCpu(m, camera);
  const uv = interpolateCpu(mesh.uvs, 2, mesh.faceUvs, rast);
  const n = interpolateCpu(mesh.normals, 3, mesh.faces, rast);
  const albedo = textureCpu(texture, uv, { wrap: 'clamp' });
  const img = shade(rast, n, albedo, light, background);
  const aa = antialiasCpu(img, 4, rast, m, camera, { topology: mesh.topology });
  return split(aa, rast.width * rast.height);
}

/** The WebGPU path: the same steps on `MeshRasterizerWebGPU` (float32). */
export class HeadRendererWebGPU {
  private readonly gpu: MeshRasterizerWebGPU;

  constructor(device: GPUDevice) {
    this.gpu = createMeshRasterizer(device);
  }

  async render(mesh: HeadMeshInput, camera: Camera, texture: AlbedoTexture, light: CaptureLight, background: readonly number[]): Promise<RenderedImage> {
    const m = { positions: mesh.positions, faces: mesh.faces };
    const rast = await this.gpu.rasterize(m, camera);
    const uv = await this.gpu.interpolate(mesh.uvs, 2, mesh.faceUvs, rast);
    const n = await this.gpu.interpolate(mesh.normals, 3, mesh.faces, rast);
    const albedo = await this.gpu.texture(texture, uv, { wrap: 'clamp' });
    const img = shade(rast, n, albedo, light, background);
    const aa = await this.gpu.antialias(img, 4, rast, m, camera, { topology: mesh.topology });
    return split(aa, rast.width * rast.height);
  }
}
