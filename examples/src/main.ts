/**
 * The main example (until a model package lands): ray-marches a shaded sphere in a
 * WebGPU compute shader and writes it as a PNG.
 *   npm run example [-- --out out/main.png --size 256]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { encode } from 'fast-png';
import { getDevice } from '@headsplat/gpu';

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'out/main.png' }, size: { type: 'string', default: '256' } },
});
const size = Number(values.size);
if (!Number.isInteger(size) || size < 8 || size > 4096) throw new Error(`--size must be an integer in [8, 4096], got '${values.size}'`);

const t0 = performance.now();
const gpu = await getDevice();
console.log(`WebGPU: ${gpu.description} (driver: ${gpu.driver})`);
const { device } = gpu;
const module = device.createShaderModule({
  code: /* wgsl */ `
    @group(0) @binding(0) var<storage, read_write> img: array<u32>;
    @group(0) @binding(1) var<uniform> size: vec4u;
    @compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3u) {
      let n = size.x;
      if (g.x >= n || g.y >= n) { return; }
      let p = (vec2f(g.xy) + 0.5) / f32(n) * 2.0 - 1.0;
      let r2 = dot(p, p);
      var c = vec3f(0.08, 0.09, 0.12) * (1.0 - 0.3 * p.y);
      if (r2 < 0.64) {
        let nrm = normalize(vec3f(p.x, -p.y, sqrt(0.64 - r2)));
        let l = normalize(vec3f(-0.5, 0.7, 0.6));
        let diffuse = max(dot(nrm, l), 0.0);
        let spec = pow(max(dot(reflect(-l, nrm), vec3f(0.0, 0.0, 1.0)), 0.0), 32.0);
        c = vec3f(0.85, 0.62, 0.5) * (0.15 + 0.85 * diffuse) + vec3f(spec * 0.4);
      }
      let q = vec3u(clamp(c, vec3f(0.0), vec3f(1.0)) * 255.0 + 0.5);
      img[g.y * n + g.x] = q.x | (q.y << 8u) | (q.z << 16u) | (255u << 24u);
    }`,
});
const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
const bytes = size * size * 4;
const img = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
const uni = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
device.queue.writeBuffer(uni, 0, new Uint32Array([size, 0, 0, 0]));
const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
const enc = device.createCommandEncoder();
const pass = enc.beginComputePass();
pass.setPipeline(pipeline);
pass.setBindGroup(0, device.createBindGroup({
  layout: pipeline.getBindGroupLayout(0),
  entries: [{ binding: 0, resource: { buffer: img } }, { binding: 1, resource: { buffer: uni } }],
}));
pass.dispatchWorkgroups(Math.ceil(size / 8), Math.ceil(size / 8));
pass.end();
enc.copyBufferToBuffer(img, 0, read, 0, bytes);
device.queue.submit([enc.finish()]);
await read.mapAsync(GPUMapMode.READ);
const rgba = new Uint8Array(read.getMappedRange().slice(0));
read.unmap();
gpu.destroy();

mkdirSync(dirname(values.out!), { recursive: true });
writeFileSync(values.out!, encode({ width: size, height: size, data: rgba, channels: 4 }));
console.log(`wrote ${values.out} (${size}x${size}) in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
