import type { IODType } from './dtypes.js';

/**
 * safetensors dtype codes <-> IODType.
 * @see https://github.com/huggingface/safetensors#format
 * The F8_* and sub-byte codes of newer safetensors releases are reported as unsupported.
 */
export type SafetensorsDtype =
  | 'BOOL' | 'U8' | 'I8' | 'I16' | 'U16' | 'F16' | 'BF16' | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64';

export const SAFETENSORS_TO_IO: Readonly<Record<SafetensorsDtype, IODType>> = {
  BOOL: 'bool', U8: 'uint8', I8: 'int8', I16: 'int16', U16: 'uint16', F16: 'float16',
  BF16: 'bfloat16', I32: 'int32', U32: 'uint32', F32: 'float32', F64: 'float64',
  I64: 'int64', U64: 'uint64',
};

export const IO_TO_SAFETENSORS: Readonly<Record<IODType, SafetensorsDtype>> = {
  bool: 'BOOL', uint8: 'U8', int8: 'I8', int16: 'I16', uint16: 'U16', float16: 'F16',
  bfloat16: 'BF16', int32: 'I32', uint32: 'U32', float32: 'F32', float64: 'F64',
  int64: 'I64', uint64: 'U64',
};

/**
 * Declaration order of the reference implementation's `Dtype` enum (safetensors/src/tensor.rs).
 * Its writer orders tensors by this rank descending, then by name, which keeps every tensor
 * aligned to its item size after the 8-byte-aligned header.
 */
export const SAFETENSORS_DTYPE_RANK: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 0, U8: 1, I8: 2, I16: 5, U16: 6, F16: 7, BF16: 8, I32: 9, U32: 10, F32: 11,
  F64: 12, I64: 13, U64: 14,
};

export function isSafetensorsDtype(x: unknown): x is SafetensorsDtype {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(SAFETENSORS_TO_IO, x);
}
