/**
 * Opens a WebGPU device in the page, or says precisely why it cannot: no `navigator.gpu`
 * (browser without WebGPU, or an insecure context), no adapter (WebGPU present but no
 * usable GPU / software fallback), or a failed `requestDevice`.
 */

export type WebGPUUnavailableReason = 'no-navigator-gpu' | 'no-adapter' | 'device-failed';

export class WebGPUUnavailableError extends Error {
  constructor(
    readonly reason: WebGPUUnavailableReason,
    message: string,
  ) {
    super(message);
    this.name = 'WebGPUUnavailableError';
  }
}

export interface ViewerDevice {
  device: GPUDevice;
  adapter: GPUAdapter;
  /** vendor / architecture / description of the adapter, for the HUD */
  description: string;
}

/**
 * Limits the rasterizer wants, asked for up to what the adapter allows (the same list as
 * @headsplat/gpu's getDevice): big scenes need large storage buffers, and the GPU radix
 * sort uses more workgroup memory than WebGPU's default 16 KiB.
 */
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

export async function openWebGPU(): Promise<ViewerDevice> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    const why = window.isSecureContext
      ? 'this browser has no WebGPU (navigator.gpu is undefined)'
      : 'the page is not a secure context (open it over https or from localhost)';
    throw new WebGPUUnavailableError('no-navigator-gpu', `WebGPU is not available: ${why}.`);
  }
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    throw new WebGPUUnavailableError('no-adapter', `WebGPU is present but requesting an adapter failed: ${(e as Error).message}`);
  }
  if (!adapter) {
    throw new WebGPUUnavailableError('no-adapter', 'WebGPU is present but the browser returned no GPU adapter (the GPU may be blocklisted or disabled).');
  }
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) {
    const v = (adapter.limits as unknown as Record<string, number>)[k];
    if (typeof v === 'number') requiredLimits[k] = v;
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits });
  } catch (e) {
    throw new WebGPUUnavailableError('device-failed', `WebGPU adapter found but requestDevice failed: ${(e as Error).message}`);
  }
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const description = info ? [info.vendor, info.architecture, info.description].filter((s) => s).join(' ') : '';
  return { device, adapter, description: description || 'unknown adapter' };
}
