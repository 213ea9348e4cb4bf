import { describe, expect, it } from 'vitest';
import { webgpuSuite } from '../src/testing.js';
import { getDevice } from '../src/index.js';

webgpuSuite('getDevice', (ctx, test) => {
  test('runs a compute shader and matches the CPU', async () => {
    const device = ctx.device;
    const n = 1000;
    const input = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 10);
    const module = device.createShaderModule({
      code: /* wgsl */ `
        @group(0) @binding(0) var<storage, read_write> a: array<f32>;
        @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
          if (g.x < arrayLength(&a)) { a[g.x] = a[g.x] * a[g.x] + 1.0; }
        }`,
    });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const buf = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    const read = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buf, 0, input);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] }));
    pass.dispatchWorkgroups(Math.ceil(n / 64));
    pass.end();
    enc.copyBufferToBuffer(buf, 0, read, 0, n * 4);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    const expected = input.map((x) => Math.fround(x * x + 1));
    for (let i = 0; i < n; i++) expect(out[i]).toBeCloseTo(expected[i], 4);
    buf.destroy();
    read.destroy();
  });

  test('reports which driver it selected', () => {
    expect(['lavapipe', 'swiftshader', 'system', 'custom', 'browser']).toContain(ctx.handle.driver);
  });
});

describe('getDevice errors', () => {
  it('names the variable and the accepted values for a bad HEADSPLAT_VK_DRIVER', async () => {
    const old = process.env.HEADSPLAT_VK_DRIVER;
    process.env.HEADSPLAT_VK_DRIVER = 'nvidia';
    try {
      await expect(getDevice()).rejects.toThrow(/HEADSPLAT_VK_DRIVER must be 'lavapipe', 'swiftshader' or 'system', got 'nvidia'/);
    } finally {
      if (old === undefined) delete process.env.HEADSPLAT_VK_DRIVER;
      else process.env.HEADSPLAT_VK_DRIVER = old;
    }
  });
});
