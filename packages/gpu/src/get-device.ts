import { CPU_DRIVERS, parseDriver, type VulkanDriver } from './drivers.js';

export interface GetDeviceOptions {
  /**
   * Node only: which Vulkan driver Dawn should use. Defaults to the environment
   * variable `HEADSPLAT_VK_DRIVER`, then to `VK_ICD_FILENAMES` if the user set it,
   * then to the first CPU driver found (lavapipe, then SwiftShader), then to the
   * system's own driver (a real GPU).
   */
  driver?: VulkanDriver;
  /** Request `shader-f16` when the adapter offers it. Default false. */
  f16?: boolean;
  powerPreference?: GPUPowerPreference;
}

export interface DeviceHandle {
  device: GPUDevice;
  adapter: GPUAdapter;
  /** 'browser', or the Vulkan driver the Node process selected. */
  driver: 'browser' | VulkanDriver | 'custom';
  /** Adapter description, as reported by the implementation. */
  description: string;
  /** Releases the device and, in Node, Dawn's instance so that the process can exit. */
  destroy(): void;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** Resource limits headsplat's kernels want, requested up to what the adapter allows. */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
] as const;

/** The limits headsplat's kernels want, each at the adapter's maximum (for `requestDevice`). */
export function requiredLimits(adapter: GPUAdapter): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of WANTED_LIMITS) {
    const v = (adapter.limits as unknown as Record<string, number>)[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

async function openDevice(adapter: GPUAdapter, opts: GetDeviceOptions): Promise<GPUDevice> {
  const features: GPUFeatureName[] = [];
  if (opts.f16 && adapter.features.has('shader-f16')) features.push('shader-f16');
  if (adapter.features.has('timestamp-query')) features.push('timestamp-query');
  // Optional: kernels check device.features before using subgroup built-ins.
  if (adapter.features.has('subgroups')) features.push('subgroups');
  return adapter.requestDevice({ requiredFeatures: features, requiredLimits: requiredLimits(adapter) });
}

async function describe(adapter: GPUAdapter): Promise<string> {
  const info = (adapter as unknown as { info?: GPUAdapterInfo }).info;
  if (!info) return 'unknown adapter';
  return [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ') || 'unknown adapter';
}

async function getBrowserDevice(opts: GetDeviceOptions): Promise<DeviceHandle> {
  const gpu = (globalThis as { navigator?: Navigator }).navigator?.gpu;
  if (!gpu) throw new Error('getDevice: this browser has no WebGPU (navigator.gpu is undefined)');
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference });
  if (!adapter) throw new Error('getDevice: navigator.gpu.requestAdapter() returned no adapter');
  const device = await openDevice(adapter, opts);
  return { device, adapter, driver: 'browser', description: await describe(adapter), destroy: () => device.destroy() };
}

async function getNodeDevice(opts: GetDeviceOptions): Promise<DeviceHandle> {
  const fs = await import('node:fs');
  const env = process.env;
  const requested = opts.driver ?? parseDriver(env.HEADSPLAT_VK_DRIVER);
  let driver: DeviceHandle['driver'];
  const tried: string[] = [];
  if (requested === 'system') {
    driver = 'system';
  } else if (requested) {
    const d = CPU_DRIVERS.find((c) => c.name === requested)!;
    if (!fs.existsSync(d.icd)) {
      throw new Error(`getDevice: driver '${d.name}' was requested but ${d.icd} does not exist; install it: ${d.install}`);
    }
    env.VK_ICD_FILENAMES = d.icd;
    driver = d.name;
  } else if (env.VK_ICD_FILENAMES) {
    driver = 'custom';
  } else {
    const found = CPU_DRIVERS.find((c) => fs.existsSync(c.icd));
    for (const c of CPU_DRIVERS) tried.push(`${c.name} (${c.icd}${fs.existsSync(c.icd) ? '' : ': not installed'})`);
    if (found) {
      env.VK_ICD_FILENAMES = found.icd;
      driver = found.name;
    } else {
      driver = 'system';
    }
  }

  let webgpu: typeof import('webgpu');
  try {
    webgpu = await import('webgpu');
  } catch (e) {
    throw new Error(`getDevice: WebGPU in Node needs the 'webgpu' npm package (Dawn): npm install webgpu (${(e as Error).message})`);
  }
  Object.assign(globalThis, webgpu.globals);
  let gpu: GPU | undefined = webgpu.create(['backend=vulkan']);
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference });
  if (!adapter) {
    gpu = undefined;
    const how = CPU_DRIVERS.map((c) => `  ${c.name}: ${c.install}`).join('\n');
    const which = driver === 'custom' ? `VK_ICD_FILENAMES=${env.VK_ICD_FILENAMES}` : driver;
    throw new Error(
      `getDevice: no WebGPU adapter (Dawn on Vulkan, driver: ${which}` +
        (tried.length ? `; looked for ${tried.join(', ')}` : '') +
        `). Install a CPU Vulkan driver:\n${how}\nor select one with HEADSPLAT_VK_DRIVER=lavapipe|swiftshader.`,
    );
  }
  const device = await openDevice(adapter, opts);
  return {
    device,
    adapter,
    driver,
    description: await describe(adapter),
    destroy: () => {
      device.destroy();
      // Dropping the last reference to Dawn's instance lets Node exit (dawn.node keeps
      // the loop alive while it is reachable).
      gpu = undefined;
    },
  };
}

/**
 * Returns a WebGPU device: `navigator.gpu` in a browser; in Node, Dawn through the
 * `webgpu` package, on a CPU Vulkan driver when the machine has no GPU.
 * Throws an error naming the driver tried and how to install one when no adapter exists.
 */
export async function getDevice(opts: GetDeviceOptions = {}): Promise<DeviceHandle> {
  const nav = (globalThis as { navigator?: Navigator }).navigator;
  if (nav?.gpu && !isNode) return getBrowserDevice(opts);
  if (isNode) return getNodeDevice(opts);
  return getBrowserDevice(opts);
}

let shared: Promise<DeviceHandle> | undefined;

/** One device per process/page, created on first use; the device every headsplat package picks by default. */
export function getSharedDevice(opts: GetDeviceOptions = {}): Promise<DeviceHandle> {
  shared ??= getDevice(opts).catch((e) => {
    shared = undefined;
    throw e;
  });
  return shared;
}
