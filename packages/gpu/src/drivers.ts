/**
 * CPU Vulkan drivers that Dawn can run on when a machine has no GPU.
 * Measured on 2-core machines (see DESIGN.md): lavapipe (Mesa 23+) is ~6x faster
 * than SwiftShader and exposes `shader-f16`, so it is tried first.
 */
export type VulkanDriver = 'lavapipe' | 'swiftshader' | 'system';

export interface DriverInfo {
  name: Exclude<VulkanDriver, 'system'>;
  icd: string;
  install: string;
}

export const CPU_DRIVERS: readonly DriverInfo[] = [
  {
    name: 'lavapipe',
    icd: '/usr/share/vulkan/icd.d/lvp_icd.json',
    install:
      'add the bookworm-backports suite, then `apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1` ' +
      '(or run `bash scripts/ensure-env.sh` as root from the headsplat repository)',
  },
  {
    name: 'swiftshader',
    icd: '/usr/lib/chromium/vk_swiftshader_icd.json',
    install: '`apt-get install chromium libvulkan1` (SwiftShader ships with Debian\'s chromium)',
  },
];

export function parseDriver(value: string | undefined): VulkanDriver | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.toLowerCase();
  if (v === 'lavapipe' || v === 'swiftshader' || v === 'system') return v;
  throw new Error(
    `getDevice: HEADSPLAT_VK_DRIVER must be 'lavapipe', 'swiftshader' or 'system', got '${value}'`,
  );
}
