/**
 * IO for @headsplat/core: safetensors, .npy/.npz and PNG, on plain typed-array records so it
 * runs in Node and the browser alike (bytes in, bytes out; no file system access).
 */
export {
  IO_DTYPES, ITEMSIZE, isIODType, numel,
  type IODType, type IOArrayFor, type IOTypedArray, type NamedArray,
} from './dtypes.js';
export {
  decodeFloat16, encodeFloat16, decodeBfloat16, encodeBfloat16,
  float16BitsToNumber, numberToFloat16Bits, bfloat16BitsToNumber, numberToBfloat16Bits,
} from './half-float.js';
export { int64ToInt32, int64ToUint32, type Int64ToInt32Options } from './int64.js';
export { toCoreArray, type CoreArray, type CoreDType } from './core-array.js';
export { readSafetensors, type ReadSafetensorsOptions, type SafetensorsContents } from './safetensors-read.js';
export { readSafetensorsHeader, type SafetensorsHeader, type SafetensorsTensorInfo } from './safetensors-header.js';
export { writeSafetensors } from './safetensors-write.js';
export type { SafetensorsDtype } from './safetensors-dtype.js';
export { readNpy, readNpyHeader, type ReadNpyOptions, type NpyHeader } from './npy-read.js';
export { writeNpy } from './npy-write.js';
export { readNpz, writeNpz, type ReadNpzOptions, type WriteNpzOptions } from './npz.js';
export { decodePng, encodePng, type DecodedImage, type ImageU8, type ImageU16 } from './png.js';
export { floatToUint8Image, uintToFloatImage, type ImageF32, type ToUint8Options } from './image-convert.js';
