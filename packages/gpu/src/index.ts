export { getDevice, getSharedDevice, requiredLimits, type DeviceHandle, type GetDeviceOptions } from './get-device.js';
export { CPU_DRIVERS, type VulkanDriver, type DriverInfo } from './drivers.js';
export { gpuWait, gpuWaitMode, isCpuAdapter, setGpuWaitMode, type GpuWaitMode } from './wait.js';
