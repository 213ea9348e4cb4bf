import { unzipSync, zipSync, type Zippable } from 'fflate';
import type { NamedArray } from './dtypes.js';
import { ioFail, keyStr } from './io-error.js';
import { decodeNpy, type ReadNpyOptions } from './npy-read.js';
import { encodeNpy } from './npy-write.js';
import { entriesOf, setOwn } from './own-record.js';

/**
 * .npz: a zip archive with one `<key>.npy` member per array, stored (`np.savez`) or deflated
 * (`np.savez_compressed`); numpy writes zip64 local headers. Unzipping is fflate's.
 * @see https://numpy.org/doc/stable/reference/generated/numpy.savez.html
 */
export interface ReadNpzOptions extends ReadNpyOptions {
  /** Read only these keys (member names without ".npy"). Unknown keys throw. */
  names?: readonly string[];
}

/** Reads every array of an .npz archive, keyed as numpy's `NpzFile` keys them. */
export function readNpz(input: Uint8Array | ArrayBuffer, options: ReadNpzOptions = {}): Record<string, NamedArray> {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const wanted = options.names ? new Set(options.names) : null;
  const seen: string[] = [];
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        const key = keyOf(f.name);
        seen.push(key);
        return wanted === null || wanted.has(key);
      },
    });
  } catch (e) {
    ioFail('readNpz', `input must be a zip archive: ${(e as Error).message}`);
  }
  if (wanted) {
    for (const name of wanted) {
      if (!seen.includes(name)) ioFail('readNpz', `options.names entry ${keyStr(name)} must be an array in the archive, which has [${seen.map(keyStr).join(', ')}]`);
    }
  }
  const out: Record<string, NamedArray> = {};
  for (const [member, data] of Object.entries(files)) {
    if (member.endsWith('/')) continue; // directory entry, no data
    if (!member.endsWith('.npy')) ioFail('readNpz', `member ${keyStr(member)} must be a .npy file`);
    setOwn(out, keyOf(member), decodeNpy(data, options, `readNpz: member ${keyStr(member)}`));
  }
  return out;
}

export interface WriteNpzOptions {
  /** Deflate members like `np.savez_compressed` (default false: stored like `np.savez`). */
  compress?: boolean;
}

/** Writes arrays into an .npz archive readable by `np.load`. */
export function writeNpz(
  arrays: Record<string, NamedArray> | Map<string, NamedArray>,
  options: WriteNpzOptions = {},
): Uint8Array {
  const files: Zippable = {};
  for (const [key, arr] of entriesOf(arrays)) {
    if (key === '') ioFail('writeNpz', 'array keys must be non-empty');
    const name = `${key}.npy`;
    Object.defineProperty(files, name, {
      value: [encodeNpy(arr, key, 'writeNpz'), { level: options.compress ? 6 : 0 }],
      enumerable: true,
    });
  }
  return zipSync(files);
}

const keyOf = (member: string) => (member.endsWith('.npy') ? member.slice(0, -4) : member);
