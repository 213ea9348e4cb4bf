export { getDevice, getSharedDevice, requiredLimits, type DeviceHandle, type GetDeviceOptions } from './get-device.js';
export { CPU_DRIVERS, type VulkanDriver, type DriverInfo } from './drivers.js';
