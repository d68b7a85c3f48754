import { unzipSync, type Unzipped } from 'fflate';
import { EnhanceError, isEnhanceError } from '../errors.js';
import { readInputFile } from './readInputFile.js';

/**
 * NumPy's array files, read without Python (format: numpy/lib/format.py, NEP 1):
 * - `.npy`: the magic `\x93NUMPY`, a version byte pair, the header length (uint16 for version 1, uint32
 *   for 2 and 3), a header that is a Python dict literal such as
 *   `{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }`, then the raw values;
 * - `.npz` (np.savez, np.savez_compressed): a zip archive with one `<name>.npy` entry per array.
 * Little-endian float64, float32 and int64 arrays are read, in either memory order; values are returned
 * in row-major (C) order whatever order the file stored them in.
 */
export type NpyArray =
  | { readonly dtype: 'f8'; readonly shape: readonly number[]; readonly data: Float64Array }
  | { readonly dtype: 'f4'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'i8'; readonly shape: readonly number[]; readonly data: BigInt64Array };

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // '\x93NUMPY'
const ZIP_SIGNATURES = [
  [0x50, 0x4b, 0x03, 0x04], // a local file header: the first entry of a non-empty archive
  [0x50, 0x4b, 0x05, 0x06], // an end-of-central-directory record: np.savez() with no arrays
];
const ITEM_SIZE = { f8: 8, f4: 4, i8: 8 } as const;
type Dtype = keyof typeof ITEM_SIZE;

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

interface NpyHeader {
  dtype: Dtype;
  fortranOrder: boolean;
  shape: number[];
}

/** The three keys of the header dict, read by pattern: numpy writes nothing else there. */
function parseHeader(text: string): NpyHeader {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new EnhanceError(`has a header numpy did not write (${JSON.stringify(text.trim())}); structured arrays are not read`);
  }
  const dtype = descr.startsWith('<') ? descr.slice(1) : '';
  if (!Object.hasOwn(ITEM_SIZE, dtype)) {
    throw new EnhanceError(`has dtype '${descr}'; only little-endian float64, float32 and int64 ('<f8', '<f4', '<i8') are read`);
  }
  const dims = shapeText.split(',').map((d) => d.trim()).filter((d) => d !== '');
  if (!dims.every((d) => /^\d+L?$/.test(d))) throw new EnhanceError(`has a malformed shape (${shapeText})`);
  return { dtype: dtype as Dtype, fortranOrder: fortran === 'True', shape: dims.map((d) => Number.parseInt(d, 10)) };
}

/** Values stored column-major (Fortran order) rearranged row-major. */
function fortranToRowMajor<T extends Float64Array | Float32Array | BigInt64Array>(source: T, shape: readonly number[], target: T): T {
  const rank = shape.length;
  const fortranStrides = shape.map((_, k) => shape.slice(0, k).reduce((a, b) => a * b, 1));
  const index = new Array<number>(rank).fill(0);
  let from = 0;
  for (let to = 0; to < target.length; to++) {
    target[to] = source[from];
    // Advance the row-major counter (last axis fastest) and follow it in the column-major layout.
    for (let k = rank - 1; k >= 0; k--) {
      index[k]++;
      from += fortranStrides[k];
      if (index[k] < shape[k]) break;
      from -= shape[k] * fortranStrides[k];
      index[k] = 0;
    }
  }
  return target;
}

function readValues(bytes: Uint8Array, offset: number, { dtype, fortranOrder, shape }: NpyHeader): NpyArray {
  const count = shape.reduce((a, b) => a * b, 1);
  const needed = count * ITEM_SIZE[dtype];
  if (bytes.length - offset < needed) {
    throw new EnhanceError(`is truncated: shape (${shape.join(', ')}) of ${dtype} needs ${needed} bytes of data, the file has ${bytes.length - offset}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, needed);
  const stored =
    dtype === 'f8' ? Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, true))
    : dtype === 'f4' ? Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true))
    : BigInt64Array.from({ length: count }, (_, i) => view.getBigInt64(8 * i, true));
  const data = fortranOrder && shape.length > 1 ? fortranToRowMajor(stored, shape, stored.slice()) : stored;
  return { dtype, shape, data } as NpyArray;
}

function parseNpyBytes(bytes: Uint8Array): NpyArray {
  if (!startsWith(bytes, NPY_MAGIC)) throw new EnhanceError('is not a NumPy .npy file (it does not start with \\x93NUMPY)');
  const major = bytes[6];
  if (major !== 1 && major !== 2 && major !== 3) throw new EnhanceError(`is a .npy file of format version ${major}, which is not read (1 to 3 are)`);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerStart = 8 + lengthBytes;
  if (bytes.length < headerStart) throw new EnhanceError('is truncated inside its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < headerStart + headerLength) throw new EnhanceError('is truncated inside its header');
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  return readValues(bytes, headerStart + headerLength, parseHeader(text));
}

/** Errors about the bytes as a whole get the file's name. */
function naming<T>(file: string | undefined, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw file !== undefined && isEnhanceError(error) && error.file === undefined ? new EnhanceError(error.message, { file, cause: error }) : error;
  }
}

/** One `.npy` file's array. Throws an `EnhanceError` (naming `file` when given) for anything else. */
export function parseNpy(bytes: Uint8Array, file?: string): NpyArray {
  return naming(file, () => parseNpyBytes(bytes));
}

/** The arrays of an `.npz` archive by name (the entry name without `.npy`); entries that are not `.npy` are skipped. */
export function parseNpz(bytes: Uint8Array, file?: string): Map<string, NpyArray> {
  return naming(file, () => {
    if (!ZIP_SIGNATURES.some((signature) => startsWith(bytes, signature))) {
      throw new EnhanceError('is not a NumPy .npz file (not a zip archive)');
    }
    let entries: Unzipped;
    try {
      entries = unzipSync(bytes);
    } catch (error) {
      throw new EnhanceError(`is a truncated or corrupt zip archive (${error instanceof Error ? error.message : String(error)})`);
    }
    const arrays = new Map<string, NpyArray>();
    for (const [entryName, entryBytes] of Object.entries(entries)) {
      if (!entryName.endsWith('.npy')) continue;
      try {
        arrays.set(entryName.slice(0, -'.npy'.length), parseNpyBytes(entryBytes));
      } catch (error) {
        throw isEnhanceError(error) ? new EnhanceError(`entry ${entryName} ${error.message}`, { cause: error }) : error;
      }
    }
    return arrays;
  });
}

const readBytes = (path: string): Promise<Uint8Array> => readInputFile(path, 'NumPy file');

/** `parseNpy` of a file on disk. */
export async function readNpy(path: string): Promise<NpyArray> {
  return parseNpy(await readBytes(path), path);
}

/** `parseNpz` of a file on disk. */
export async function readNpz(path: string): Promise<Map<string, NpyArray>> {
  return parseNpz(await readBytes(path), path);
}

/** An array's values as float64 (int64 beyond 2^53 loses its low bits). */
export function npyValuesAsFloat64(array: NpyArray): Float64Array {
  return array.dtype === 'i8' ? Float64Array.from(array.data, Number) : Float64Array.from(array.data);
}
