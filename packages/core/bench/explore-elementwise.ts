/**
 * Elementwise kernel shapes on llvmpipe (not part of `pnpm bench`): out = a * step(b) (ReLU's
 * backward) over n elements, one element per invocation (fusion.ts's kernel) against several
 * elements per invocation, A/B interleaved in one process with paired ratios:
 *   pnpm exec tsx packages/core/bench/explore-elementwise.ts [n]
 */
import { getSharedDevice } from '@headsplat/gpu';
import { initWebGPU, tensor } from '../src/index.js';
import { Params, st } from '../src/backends/webgpu/index.js';
import { declareBindings, linearWorkgroups, mainLinear } from '../src/backends/webgpu/wgsl.js';
import { randomArray } from './timing.js';

interface V { name: string; src: string; wg: [number, number, number]; per: number }

async function main(): Promise<void> {
  const h = await getSharedDevice();
  const backend = await initWebGPU({ device: h.device });
  const n = Number(process.argv[2] ?? 1 << 24);
  const a = tensor(randomArray(n, 1), { shape: [n], device: 'webgpu' });
  const b = tensor(randomArray(n, 2), { shape: [n], device: 'webgpu' });
  const decl = declareBindings([['in0', 'f32'], ['in1', 'f32']], [['out0', 'f32']]);
  const body = (i: string) => `out0[${i}] = in0[${i}] * step(0.0, in1[${i}]);`;
  const vs: V[] = [
    { name: '1/inv WG256', src: `${decl}\n${mainLinear('P.n', `  ${body('i')}`)}`, wg: linearWorkgroups(n), per: 1 },
    { name: '1/inv WG64', src: `${decl}\n${mainLinear('P.n', `  ${body('i')}`, 64)}`, wg: linearWorkgroups(n, 64), per: 1 },
  ];
  for (const E of [4, 16]) {
    // E elements per invocation, strided by the dispatch width (lanes stay adjacent).
    const lines = [`  let T = nwg.x * nwg.y * 256u;`];
    for (let e = 0; e < E; e++) lines.push(`  { let j = i + ${e}u * T; if (j < P.n) { ${body('j')} } }`);
    vs.push({
      name: `${E}/inv strided`,
      src: `${decl}\n@compute @workgroup_size(256)\nfn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n  let i = gid.x + gid.y * nwg.x * 256u;\n${lines.join('\n')}\n}`,
      wg: linearWorkgroups(Math.ceil(n / E)),
      per: E,
    });
    const loop = `  let T = nwg.x * nwg.y * 256u;\n  for (var j = i; j < P.n; j += T) { ${body('j')} }`;
    vs.push({
      name: `${E}/inv loop`,
      src: `${decl}\n@compute @workgroup_size(256)\nfn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n  let i = gid.x + gid.y * nwg.x * 256u;\n${loop}\n}`,
      wg: linearWorkgroups(Math.ceil(n / E)),
      per: E,
    });
  }
  const best = new Map<string, number>();
  const ratios = new Map<string, number[]>();
  for (let round = 0; round < 8; round++) {
    let first = 0;
    for (const v of vs) {
      const out = backend.createOutput('float32', n);
      const c0 = process.cpuUsage();
      backend.dispatch({ key: `explore-ew:${v.name}`, source: () => v.src, inputs: [st(a), st(b)], outputs: [out], params: new Params().u32('n', n), workgroups: v.wg });
      await backend.sync();
      const d = process.cpuUsage(c0);
      backend.free(out);
      const ms = (d.user + d.system) / 2000;
      if (v === vs[0]) first = ms;
      if (round > 0) {
        best.set(v.name, Math.min(best.get(v.name) ?? Infinity, ms));
        ratios.set(v.name, [...(ratios.get(v.name) ?? []), ms / first]);
      }
    }
  }
  for (const v of vs) {
    const r = ratios.get(v.name)!.sort((x, y) => x - y);
    console.log(`${v.name.padEnd(16)} best ${best.get(v.name)!.toFixed(1).padStart(7)} ms  median ratio ${r[r.length >> 1].toFixed(3)}`);
  }
  process.exit(0);
}

void main();
