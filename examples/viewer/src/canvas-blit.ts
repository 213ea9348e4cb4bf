/**
 * Draws the rasterizer's (H, W, 3) f32 storage buffer into a WebGPU canvas with one
 * fullscreen-triangle render pass: the image never leaves the GPU.
 */

const BLIT_WGSL = /* wgsl */ `
struct Size { width: u32, height: u32 }
@group(0) @binding(0) var<uniform> size: Size;
@group(0) @binding(1) var<storage, read> rgb: array<f32>;

@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  // One triangle covering the viewport: (-1, -1), (3, -1), (-1, 3).
  let p = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  return vec4f(p * 2.0 - 1.0, 0.0, 1.0);
}

@fragment
fn fs(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  // Framebuffer y grows downwards, like the image rows.
  let x = min(u32(pos.x), size.width - 1u);
  let y = min(u32(pos.y), size.height - 1u);
  let o = (y * size.width + x) * 3u;
  return vec4f(clamp(vec3f(rgb[o], rgb[o + 1u], rgb[o + 2u]), vec3f(0.0), vec3f(1.0)), 1.0);
}
`;

export class CanvasBlit {
  private readonly pipeline: GPURenderPipeline;
  private readonly size: GPUBuffer;

  constructor(
    private readonly device: GPUDevice,
    private readonly context: GPUCanvasContext,
    format: GPUTextureFormat,
  ) {
    const module = device.createShaderModule({ code: BLIT_WGSL, label: 'viewer-blit' });
    this.pipeline = device.createRenderPipeline({
      label: 'viewer-blit',
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
    this.size = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'viewer-blit-size' });
  }

  /** Records and submits the draw of `rgb` (an image of the canvas's size) to the canvas. */
  draw(rgb: GPUBuffer, width: number, height: number): void {
    this.device.queue.writeBuffer(this.size, 0, new Uint32Array([width, height, 0, 0]));
    const bind = this.device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.size } },
        { binding: 1, resource: { buffer: rgb } },
      ],
    });
    const enc = this.device.createCommandEncoder({ label: 'viewer-blit' });
    const pass = enc.beginRenderPass({
      colorAttachments: [{ view: this.context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }],
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bind);
    pass.draw(3);
    pass.end();
    this.device.queue.submit([enc.finish()]);
  }

  destroy(): void {
    this.size.destroy();
  }
}
