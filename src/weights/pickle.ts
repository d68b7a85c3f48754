import { EnhanceError } from '../errors.js';
import { latin1Bytes, latin1Text } from '../io/latin1.js';

/**
 * A restricted unpickler: Python's pickle virtual machine (protocols 0-5) without its one dangerous
 * power. A real unpickler imports and calls whatever globals the data names, which is how a .pth file
 * can run code; this one calls only the JavaScript functions `findGlobal` returns and keeps every other
 * global as an inert `PythonGlobal`.
 *
 * Python values become: None -> null, bool -> boolean, int -> number (bigint beyond 2^53), float ->
 * number, str -> string, bytes and bytearray -> Uint8Array, list and tuple -> array, dict -> Map,
 * set and frozenset -> Set. Errors are `EnhanceError`s without a file; the caller knows the file.
 */

/** A Python class or function the unpickler does not implement: kept by name, never executed. */
export class PythonGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * An instance of a class the unpickler does not implement (an argparse.Namespace, a training config):
 * the arguments it was created with, the state BUILD gave it and any items added to it, kept as data.
 */
export class PythonObject {
  state: unknown = undefined;
  readonly dictItems = new Map<unknown, unknown>();
  readonly listItems: unknown[] = [];

  constructor(
    readonly type: PythonGlobal,
    readonly args: readonly unknown[],
  ) {}
}

/** A value with a method under this key receives BUILD's state, as Python's `__setstate__` would. */
export const setState = Symbol('setState');

export interface UnpickleOptions {
  /** The implementation of a global, or undefined to keep it as an opaque `PythonGlobal`. */
  findGlobal?: (module: string, name: string) => unknown;
  /** Resolves a persistent id (PyTorch: a storage); without it, a persistent id is an error. */
  persistentLoad?: (id: unknown) => unknown;
}

export interface Unpickled {
  value: unknown;
  /** The byte after the STOP opcode: where a following pickle in the same file starts. */
  end: number;
}

// Python 2 module names that pickles made with fix_imports carry (protocols 0-2).
const PYTHON2_MODULES = new Map([
  ['__builtin__', 'builtins'],
  ['copy_reg', 'copyreg'],
]);

// Opcodes we recognise but refuse, by name, so the error says what the file needs.
const UNSUPPORTED_OPCODES = new Map([
  [0x82, 'EXT1 (a copyreg extension code)'],
  [0x83, 'EXT2 (a copyreg extension code)'],
  [0x84, 'EXT4 (a copyreg extension code)'],
  [0x97, 'NEXT_BUFFER (an out-of-band buffer)'],
]);

const MAX_PROTOCOL = 5;
const utf8 = new TextDecoder('utf-8');

function toPythonInt(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function parseTextInt(text: string): number | bigint {
  if (!/^[+-]?\d+L?$/.test(text)) throw new EnhanceError(`corrupt pickle: '${text}' is not an integer`);
  return toPythonInt(BigInt(text.replace(/L$/, '')));
}

function parseTextFloat(text: string): number {
  if (text === 'nan') return NaN;
  const value = text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new EnhanceError(`corrupt pickle: '${text}' is not a float`);
  return value;
}

/** A little-endian two's-complement integer of any length (LONG1 / LONG4). */
function littleEndianSigned(bytes: Uint8Array): number | bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  if (bytes.length > 0 && bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return toPythonInt(value);
}

/** Python 2 `repr` of a str (STRING): quoted, with backslash escapes. */
function decodeQuotedString(text: string): string {
  const quote = text[0];
  if (text.length < 2 || (quote !== "'" && quote !== '"') || text[text.length - 1] !== quote) {
    throw new EnhanceError('corrupt pickle: a STRING is not quoted');
  }
  const named = new Map([['n', '\n'], ['r', '\r'], ['t', '\t'], ['a', '\x07'], ['b', '\b'], ['f', '\f'], ['v', '\v']]);
  return text.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|[\s\S])/g, (_, escape: string) => {
    if (escape[0] === 'x') return String.fromCharCode(parseInt(escape.slice(1), 16));
    if (/^[0-7]/.test(escape)) return String.fromCharCode(parseInt(escape, 8));
    return named.get(escape) ?? escape;
  });
}

/** Python's raw-unicode-escape (UNICODE): latin-1 bytes with \uXXXX and \UXXXXXXXX escapes. */
function decodeRawUnicodeEscape(bytes: Uint8Array): string {
  return latin1Text(bytes).replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, short?: string, long?: string) =>
    String.fromCodePoint(parseInt(short ?? long!, 16)),
  );
}

function describeValue(value: unknown): string {
  if (value === null) return 'None';
  if (value instanceof PythonGlobal) return value.qualifiedName;
  if (value instanceof PythonObject) return `a ${value.type.qualifiedName} object`;
  if (value instanceof Map) return 'a dict';
  if (Array.isArray(value)) return 'a list or tuple';
  return `a ${typeof value}`;
}

/** Reads one pickle from `bytes` at `start`, up to and including its STOP opcode. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}, start = 0): Unpickled {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = start;
  let opcodeAt = start;
  const stack: unknown[] = [];
  const marks: number[] = []; // stack heights at each MARK
  const memo = new Map<number, unknown>();

  const corrupt = (problem: string): never => {
    throw new EnhanceError(`corrupt pickle at byte ${opcodeAt}: ${problem}`);
  };
  const truncated = (): never => {
    throw new EnhanceError(`the pickle ends early at byte ${bytes.length} (the file is truncated)`);
  };
  /** Moves past `length` bytes and returns where they start. */
  const advance = (length: number): number => {
    if (length < 0 || position + length > bytes.length) truncated();
    position += length;
    return position - length;
  };
  const take = (length: number): Uint8Array => bytes.subarray(advance(length), position);
  const u8 = (): number => bytes[advance(1)];
  const u16 = (): number => view.getUint16(advance(2), true);
  const u32 = (): number => view.getUint32(advance(4), true);
  const i32 = (): number => view.getInt32(advance(4), true);
  const u64 = (): number => {
    const length = view.getBigUint64(advance(8), true);
    return length > BigInt(bytes.length) ? corrupt(`a length of ${length} bytes is longer than the file`) : Number(length);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, position);
    if (end < 0) truncated();
    const content = latin1Text(bytes.subarray(position, end));
    position = end + 1;
    return content.endsWith('\r') ? content.slice(0, -1) : content;
  };
  const text = (length: number): string => utf8.decode(take(length));

  const pop = (): unknown => (stack.length > 0 ? stack.pop() : corrupt('the stack is empty'));
  const top = (): unknown => (stack.length > 0 ? stack[stack.length - 1] : corrupt('the stack is empty'));
  const popMark = (): unknown[] => stack.splice(marks.pop() ?? corrupt('no MARK to pop to'));
  const resolveGlobal = (module: string, name: string): unknown => {
    const canonical = PYTHON2_MODULES.get(module) ?? module;
    return options.findGlobal?.(canonical, name) ?? new PythonGlobal(canonical, name);
  };
  const call = (callable: unknown, args: unknown): unknown => {
    if (!Array.isArray(args)) return corrupt(`the arguments of ${describeValue(callable)} are not a tuple`);
    if (typeof callable === 'function') return callable(...args);
    if (callable instanceof PythonGlobal) return new PythonObject(callable, args);
    return corrupt(`${describeValue(callable)} is not callable`);
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    const dict = target instanceof Map ? target : target instanceof PythonObject ? target.dictItems : corrupt(`cannot set items on ${describeValue(target)}`);
    if (items.length % 2 !== 0) corrupt('a dict has a key without a value');
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]): void => {
    const list = Array.isArray(target) ? target : target instanceof PythonObject ? target.listItems : corrupt(`cannot append to ${describeValue(target)}`);
    for (const item of items) list.push(item);
  };
  const addItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Set)) return corrupt(`cannot add set items to ${describeValue(target)}`);
    for (const item of items) target.add(item);
  };
  const build = (target: unknown, state: unknown): void => {
    const hook = (target as { [setState]?: unknown } | null)?.[setState];
    if (typeof hook === 'function') hook.call(target, state);
    else if (target instanceof PythonObject) target.state = state;
    // Other values (a state dict's `_metadata` attribute) carry attributes we have no use for.
  };
  const persistent = (id: unknown): unknown => {
    if (!options.persistentLoad) return corrupt('a persistent id, but this pickle should have none');
    return options.persistentLoad(id);
  };
  const memoGet = (key: number): unknown => (memo.has(key) ? memo.get(key) : corrupt(`memo entry ${key} was never stored`));

  for (;;) {
    opcodeAt = position;
    const opcode = u8();
    switch (opcode) {
      case 0x80: { // PROTO
        const protocol = u8();
        if (protocol > MAX_PROTOCOL) throw new EnhanceError(`pickle protocol ${protocol} is newer than the supported ${MAX_PROTOCOL}`);
        break;
      }
      case 0x95: // FRAME: a length hint for buffered readers; the frame's opcodes follow inline
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: position };

      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;

      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x49: { // INT: text; '01' and '00' are protocol 0's True and False
        const value = line();
        stack.push(value === '01' ? true : value === '00' ? false : parseTextInt(value));
        break;
      }
      case 0x4c: // LONG
        stack.push(parseTextInt(line()));
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(littleEndianSigned(take(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(littleEndianSigned(take(i32())));
        break;
      case 0x46: // FLOAT
        stack.push(parseTextFloat(line()));
        break;
      case 0x47: // BINFLOAT: big-endian, unlike everything else
        stack.push(view.getFloat64(advance(8), false));
        break;

      case 0x53: // STRING (Python 2 str; torch.load decodes these as UTF-8, and so do we)
        stack.push(utf8.decode(latin1Bytes(decodeQuotedString(line()))));
        break;
      case 0x54: // BINSTRING
        stack.push(text(i32()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(text(u8()));
        break;
      case 0x56: // UNICODE
        stack.push(decodeRawUnicodeEscape(latin1Bytes(line())));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(u64()));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()).slice());
        break;
      case 0x98: // READONLY_BUFFER: marks the buffer on the stack read-only, which changes nothing here
        top();
        break;

      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x6c: // LIST
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: { // TUPLE2
        const second = pop();
        stack.push([pop(), second]);
        break;
      }
      case 0x87: { // TUPLE3
        const third = pop();
        const second = pop();
        stack.push([pop(), second, third]);
        break;
      }
      case 0x64: { // DICT
        const dict = new Map();
        setItems(dict, popMark());
        stack.push(dict);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark()));
        break;
      case 0x61: { // APPEND
        const item = pop();
        appendItems(top(), [item]);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x73: { // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x90: { // ADDITEMS
        const items = popMark();
        addItems(top(), items);
        break;
      }

      case 0x67: // GET
        stack.push(memoGet(Number(parseTextInt(line()))));
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x70: // PUT
        memo.set(Number(parseTextInt(line())), top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;

      case 0x63: { // GLOBAL
        const module = line();
        stack.push(resolveGlobal(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') return corrupt('STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x92: { // NEWOBJ_EX: keyword arguments only matter to classes we do not rebuild
        pop();
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x69: { // INST
        const module = line();
        const callable = resolveGlobal(module, line());
        stack.push(call(callable, popMark()));
        break;
      }
      case 0x6f: { // OBJ
        const [callable, ...args] = popMark();
        stack.push(call(callable, args));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        build(top(), state);
        break;
      }
      case 0x50: // PERSID
        stack.push(persistent(line()));
        break;
      case 0x51: // BINPERSID
        stack.push(persistent(pop()));
        break;

      default: {
        const hex = `0x${opcode.toString(16).padStart(2, '0')}`;
        const name = UNSUPPORTED_OPCODES.get(opcode);
        throw new EnhanceError(name ? `unsupported pickle opcode ${name} at byte ${opcodeAt}` : `unknown pickle opcode ${hex} at byte ${opcodeAt} (corrupt data)`);
      }
    }
  }
}
