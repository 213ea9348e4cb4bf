/**
 * Small WebGPU helper for the mesh-raster kernels: a pipeline cache keyed by kernel name,
 * buffer creation, one-call dispatch (bindings 0..n-1 in order) and read-back.
 */

import { gpuWait } from '@headsplat/gpu';

export type BufferData = ArrayBufferView | ArrayBuffer;

export class GpuContext {
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(readonly device: GPUDevice) {}

  pipeline(key: string, code: string): GPUComputePipeline {
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code, label: `mesh-raster:${key}` });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: `mesh-raster:${key}` });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** Storage buffer holding `data` (or `data` zero bytes), padded to 16 bytes. */
  storage(data: BufferData | number, label?: string): GPUBuffer {
    const bytes = typeof data === 'number' ? data : data.byteLength;
    const buf = this.device.createBuffer({
      size: Math.max(16, Math.ceil(bytes / 16) * 16),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      label,
    });
    if (typeof data !== 'number' && bytes > 0) {
      // Byte offsets: with a typed array writeBuffer would count in elements.
      if (ArrayBuffer.isView(data)) this.device.queue.writeBuffer(buf, 0, data.buffer as ArrayBuffer, data.byteOffset, bytes);
      else this.device.queue.writeBuffer(buf, 0, data, 0, bytes);
    }
    return buf;
  }

  uniform(data: ArrayBuffer): GPUBuffer {
    const buf = this.device.createBuffer({ size: Math.ceil(data.byteLength / 16) * 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(buf, 0, data);
    return buf;
  }

  dispatch(enc: GPUCommandEncoder, pipeline: GPUComputePipeline, buffers: GPUBuffer[], groups: number): void {
    if (groups === 0) return;
    const bind = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    // Large 1D grids fold into 2D (x <= 32768 groups); kernels rebuild the linear id.
    pass.dispatchWorkgroups(Math.min(groups, 32768), Math.ceil(groups / 32768));
    pass.end();
  }

  async read(buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    const staging = this.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(buffer, 0, staging, 0, Math.ceil(bytes / 4) * 4);
    this.device.queue.submit([enc.finish()]);
    await gpuWait(this.device, staging.mapAsync(GPUMapMode.READ));
    const out = staging.getMappedRange().slice(0, bytes);
    staging.unmap();
    staging.destroy();
    return out;
  }
}

/** WGSL snippet: linear invocation id of a (possibly 2D-folded) 1D dispatch of 64-wide groups. */
export const LINEAR_ID = /* wgsl */ `
fn linearId(g: vec3u) -> u32 { return g.x + g.y * 32768u * 64u; }`;

export function groups64(n: number): number {
  return Math.ceil(n / 64);
}
