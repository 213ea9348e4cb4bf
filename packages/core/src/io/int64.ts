import { ioFail, keyStr } from './io-error.js';

export interface Int64ToInt32Options {
  /**
   * Read values in [2^31, 2^32) as their uint32 bit pattern reinterpreted as int32
   * (4294967295 -> -1). Needed for FLAME's `kintree_table`, whose root parent is uint32 -1
   * widened to int64 by the pickle-to-npz conversion. Default false: such values throw.
   */
  wrapUint32?: boolean;
}

const I32_MIN = -(2n ** 31n);
const I32_MAX = 2n ** 31n - 1n;
const U32_MAX = 2n ** 32n - 1n;

/**
 * int64/uint64 -> Int32Array, checking every value. Throws naming `key`, the flat index and
 * the value of the first element that does not fit (there is no silent wrap-around).
 */
export function int64ToInt32(
  data: BigInt64Array | BigUint64Array,
  key: string,
  options: Int64ToInt32Options = {},
): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v >= I32_MIN && v <= I32_MAX) out[i] = Number(v);
    else if (options.wrapUint32 && v > I32_MAX && v <= U32_MAX) out[i] = Number(v) | 0;
    else {
      const range = options.wrapUint32 ? '[-2^31, 2^32)' : '[-2^31, 2^31)';
      ioFail('int64ToInt32', `${keyStr(key)} must hold values in int32 range ${range}, got ${v} at flat index ${i}`);
    }
  }
  return out;
}

/** int64/uint64 -> Uint32Array, checking every value like `int64ToInt32`. */
export function int64ToUint32(data: BigInt64Array | BigUint64Array, key: string): Uint32Array {
  const out = new Uint32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < 0n || v > U32_MAX) {
      ioFail('int64ToUint32', `${keyStr(key)} must hold values in uint32 range [0, 2^32), got ${v} at flat index ${i}`);
    }
    out[i] = Number(v);
  }
  return out;
}
