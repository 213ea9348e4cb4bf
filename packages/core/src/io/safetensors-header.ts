import { ITEMSIZE, numel } from './dtypes.js';
import { ioFail, keyStr } from './io-error.js';
import { SAFETENSORS_TO_IO, isSafetensorsDtype, type SafetensorsDtype } from './safetensors-dtype.js';

/**
 * The safetensors layout (https://github.com/huggingface/safetensors#format):
 *   8 bytes   N, unsigned little-endian 64-bit header size
 *   N bytes   UTF-8 JSON starting with '{', optionally right-padded with spaces:
 *             { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {str: str} }
 *   rest      the byte buffer; offsets are relative to its start, it must be covered
 *             exactly (no holes, no overlaps), data is little-endian and C order.
 */
export interface SafetensorsTensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** [begin, end) relative to the start of the byte buffer. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** Tensor names in the order the JSON header lists them. */
  names: string[];
  tensors: Map<string, SafetensorsTensorInfo>;
  metadata: Record<string, string>;
  /** Absolute offset of the byte buffer in the file: 8 + N. */
  dataStart: number;
  /** Length of the byte buffer. */
  dataLength: number;
}

/** The reference implementation's limit (MAX_HEADER_SIZE), guarding against absurd N. */
export const MAX_HEADER_SIZE = 100_000_000;

const FN = 'readSafetensors';
const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const isIndex = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/** Parses and validates the header and the byte-buffer coverage; reads no tensor data. */
export function readSafetensorsHeader(bytes: Uint8Array): SafetensorsHeader {
  if (bytes.length < 8) ioFail(FN, `file must be at least 8 bytes (the header length), got ${bytes.length}`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  const available = bytes.length - 8;
  if (n64 > BigInt(Math.min(MAX_HEADER_SIZE, available))) {
    ioFail(FN, `header length must be at most ${Math.min(MAX_HEADER_SIZE, available)} (file size ${bytes.length} - 8` +
      `${available > MAX_HEADER_SIZE ? `, capped at ${MAX_HEADER_SIZE}` : ''}), got ${n64}`);
  }
  const n = Number(n64);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    ioFail(FN, 'header must be valid UTF-8');
  }
  if (text[0] !== '{') ioFail(FN, `header must start with '{', got ${JSON.stringify(text.slice(0, 16))}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    ioFail(FN, `header must be valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(json)) ioFail(FN, 'header must be a JSON object');
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;

  const names: string[] = [];
  const tensors = new Map<string, SafetensorsTensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === '__metadata__') {
      metadata = parseMetadata(value);
      continue;
    }
    const info = parseTensorInfo(key, value, dataLength);
    names.push(key);
    tensors.set(key, info);
  }
  checkCoverage(tensors, dataLength);
  return { names, tensors, metadata, dataStart, dataLength };
}

function parseMetadata(value: unknown): Record<string, string> {
  if (!isObject(value)) ioFail(FN, `"__metadata__" must be an object of strings, got ${JSON.stringify(value)}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') ioFail(FN, `"__metadata__" value for ${keyStr(k)} must be a string, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

function parseTensorInfo(key: string, value: unknown, dataLength: number): SafetensorsTensorInfo {
  const k = `tensor ${keyStr(key)}`;
  if (!isObject(value)) ioFail(FN, `${k} must be an object {dtype, shape, data_offsets}, got ${JSON.stringify(value)}`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isSafetensorsDtype(dtype)) {
    ioFail(FN, `${k} has unknown dtype ${JSON.stringify(dtype)}, expected one of ${Object.keys(SAFETENSORS_TO_IO).join(', ')}`);
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    ioFail(FN, `${k} shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1]) {
    ioFail(FN, `${k} data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) {
    ioFail(FN, `${k} data_offsets [${begin}, ${end}] must end within the byte buffer of ${dataLength} bytes`);
  }
  const itemsize = ITEMSIZE[SAFETENSORS_TO_IO[dtype]];
  const expected = numel(shape) * itemsize;
  if (end - begin !== expected) {
    ioFail(FN, `${k} data_offsets [${begin}, ${end}] must span ${expected} bytes for shape ` +
      `[${shape.join(', ')}] x ${dtype} (${itemsize} bytes each), got ${end - begin}`);
  }
  return { dtype, shape: shape.slice(), dataOffsets: [begin, end] };
}

/** "The byte buffer needs to be entirely indexed, and cannot contain holes." (spec, Notes) */
function checkCoverage(tensors: Map<string, SafetensorsTensorInfo>, dataLength: number): void {
  const sorted = [...tensors].sort(
    ([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1],
  );
  let cursor = 0;
  let prev = '';
  for (const [key, { dataOffsets: [begin, end] }] of sorted) {
    if (begin < cursor) {
      ioFail(FN, `tensor ${keyStr(key)} data_offsets [${begin}, ${end}] overlap tensor ${keyStr(prev)} ` +
        `which ends at ${cursor}; expected begin ${cursor}`);
    }
    if (begin > cursor) {
      ioFail(FN, `byte buffer must have no holes: bytes [${cursor}, ${begin}) before tensor ${keyStr(key)} ` +
        'belong to no tensor');
    }
    if (end > begin) {
      cursor = end;
      prev = key;
    }
  }
  if (cursor !== dataLength) {
    ioFail(FN, `byte buffer must be covered exactly: tensors end at ${cursor}, buffer is ${dataLength} bytes`);
  }
}
