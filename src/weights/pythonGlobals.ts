import { EnhanceError } from '../errors.js';
import { PythonGlobal, PythonObject, setState } from './pickle.js';
import { latin1Bytes } from '../io/latin1.js';

/**
 * The Python standard-library and numpy globals a checkpoint's metadata names, rebuilt as plain data
 * (collections.OrderedDict -> Map, numpy.int64(1000) -> 1000). Anything not here, argparse.Namespace
 * included, stays an opaque `PythonObject`, which is all a reader of weights needs of it.
 */

/** A numpy dtype as numpy pickles it: `numpy.dtype('i8')`, then BUILD with its byte order. */
class NumpyDtype {
  byteOrder = '<';

  constructor(readonly descriptor: string) {}

  [setState](state: unknown): void {
    if (Array.isArray(state) && typeof state[1] === 'string') this.byteOrder = state[1];
  }
}

const NUMPY_SCALAR = new PythonGlobal('numpy.core.multiarray', 'scalar');

/** `numpy.core.multiarray.scalar(dtype, bytes)`: a numpy number (an `iter` count, a loss value). */
function numpyScalar(dtype: unknown, data: unknown): unknown {
  if (!(dtype instanceof NumpyDtype) || !(data instanceof Uint8Array)) return new PythonObject(NUMPY_SCALAR, [dtype, data]);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const littleEndian = dtype.byteOrder !== '>';
  const readers = new Map<string, [number, () => number | bigint | boolean]>([
    ['f8', [8, () => view.getFloat64(0, littleEndian)]],
    ['f4', [4, () => view.getFloat32(0, littleEndian)]],
    ['i8', [8, () => view.getBigInt64(0, littleEndian)]],
    ['u8', [8, () => view.getBigUint64(0, littleEndian)]],
    ['i4', [4, () => view.getInt32(0, littleEndian)]],
    ['u4', [4, () => view.getUint32(0, littleEndian)]],
    ['i2', [2, () => view.getInt16(0, littleEndian)]],
    ['u2', [2, () => view.getUint16(0, littleEndian)]],
    ['i1', [1, () => view.getInt8(0)]],
    ['u1', [1, () => view.getUint8(0)]],
    ['b1', [1, () => view.getUint8(0) !== 0]],
  ]);
  const reader = readers.get(dtype.descriptor);
  if (!reader || data.length !== reader[0]) return new PythonObject(NUMPY_SCALAR, [dtype, data]);
  const value = reader[1]();
  return typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}

/** `_codecs.encode(text, 'latin1')`: how protocols 0-2 store Python 3 bytes. */
function encodeText(text: unknown, encoding: unknown = 'utf-8'): Uint8Array {
  if (typeof text !== 'string') throw new EnhanceError('corrupt pickle: _codecs.encode of a non-string');
  const latin1 = typeof encoding === 'string' && /^latin[-_]?1$|^iso[-_]?8859[-_]1$/i.test(encoding);
  return latin1 ? latin1Bytes(text) : new TextEncoder().encode(text);
}

/** bytes() / bytearray(): empty, from a list of ints, from bytes, or from (text, encoding). */
function byteString(source: unknown = [], encoding?: unknown): Uint8Array {
  if (typeof source === 'string') return encodeText(source, encoding);
  if (source instanceof Uint8Array) return source.slice();
  if (Array.isArray(source) && source.every((byte) => Number.isInteger(byte))) return Uint8Array.from(source as number[]);
  throw new EnhanceError('corrupt pickle: bytes() of an unexpected value');
}

function setOf(items: unknown = []): Set<unknown> {
  if (!Array.isArray(items)) throw new EnhanceError('corrupt pickle: a set of a non-list');
  return new Set(items);
}

/** An OrderedDict is rebuilt empty and filled by SETITEMS; protocol 0 may pass its items as a list of pairs. */
function orderedDict(items: unknown = []): Map<unknown, unknown> {
  if (!Array.isArray(items) || !items.every((pair) => Array.isArray(pair) && pair.length === 2)) {
    throw new EnhanceError('corrupt pickle: an OrderedDict of something other than pairs');
  }
  return new Map(items as [unknown, unknown][]);
}

/** `copyreg._reconstructor(cls, base, state)`: how protocols 0-1 create instances of plain classes. */
function reconstruct(type: unknown): unknown {
  if (typeof type === 'function') return type();
  if (type instanceof PythonGlobal) return new PythonObject(type, []);
  throw new EnhanceError('corrupt pickle: copyreg._reconstructor of a non-class');
}

const GLOBALS = new Map<string, (...args: unknown[]) => unknown>([
  ['collections.OrderedDict', orderedDict],
  ['collections.defaultdict', () => new Map()],
  ['builtins.set', setOf],
  ['builtins.frozenset', setOf],
  ['builtins.bytes', byteString],
  ['builtins.bytearray', byteString],
  ['_codecs.encode', encodeText],
  ['copyreg._reconstructor', reconstruct],
  ['numpy.dtype', (descriptor) => new NumpyDtype(String(descriptor))],
  ['numpy.core.multiarray.scalar', numpyScalar],
  ['numpy._core.multiarray.scalar', numpyScalar], // numpy 2
]);

/** The implementation of a standard global, or undefined to leave it opaque. */
export function findPythonGlobal(module: string, name: string): ((...args: unknown[]) => unknown) | undefined {
  return GLOBALS.get(`${module}.${name}`);
}
