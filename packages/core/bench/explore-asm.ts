/**
 * Compiles one WGSL compute shader file on the current adapter (run with GALLIVM_DEBUG=asm to
 * see llvmpipe's machine code): pnpm exec tsx packages/core/bench/explore-asm.ts shader.wgsl
 */
import { readFileSync } from 'node:fs';
import { getSharedDevice } from '@headsplat/gpu';

async function main(): Promise<void> {
  const code = readFileSync(process.argv[2], 'utf8');
  const h = await getSharedDevice();
  const device = h.device;
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const err = await device.popErrorScope();
  if (err) console.log('ERROR', err.message);
  // Dispatch once so that the driver compiles the pipeline.
  const entries: GPUBindGroupEntry[] = [];
  for (const m of code.matchAll(/@binding\((\d+)\) var<(storage|uniform)[^>]*> (\w+)/g)) {
    // Declared but unused bindings are not part of the 'auto' layout.
    if (code.split(new RegExp(`\\b${m[3]}\\b`)).length <= 2) continue;
    const usage = m[2] === 'uniform' ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE;
    entries.push({ binding: Number(m[1]), resource: { buffer: device.createBuffer({ size: m[2] === 'uniform' ? 65536 : 1 << 20, usage }) } });
  }
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
  pass.dispatchWorkgroups(1);
  pass.end();
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
  h.destroy();
  process.exit(0);
}

void main();
