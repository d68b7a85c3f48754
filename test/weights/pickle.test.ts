import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PythonGlobal, PythonObject, unpickle } from '../../src/weights/pickle.js';
import { findPythonGlobal } from '../../src/weights/pythonGlobals.js';
import { repoRoot } from '../helpers.js';

const fixtures = join(repoRoot, 'test/fixtures/pytorch');

/** A pickle written by hand, byte for byte, from the opcode table in CPython's pickletools. */
function bytesOf(...parts: (string | number[])[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? [...Buffer.from(part, 'latin1')] : part)));
}

describe('unpickle', () => {
  // make_pytorch_fixtures.py pickles one metadata dict with protocols 0 (text), 2 (torch.save's), 4 and 5.
  describe.each([0, 2, 4, 5])('the metadata dict Python pickled with protocol %i', (protocol) => {
    const metadata = unpickle(readFileSync(join(fixtures, `metadata_p${protocol}.pkl`)), { findGlobal: findPythonGlobal }).value as Map<string, unknown>;

    it('reads ints of every size, floats, strings, booleans and None', () => {
      expect(metadata.get('epoch')).toBe(7);
      expect(metadata.get('negative')).toBe(-300);
      expect(metadata.get('big')).toBe(2n ** 70n);
      expect(metadata.get('negative_big')).toBe(-(2n ** 65n));
      expect(metadata.get('lr')).toBe(1e-4);
      expect(metadata.get('name')).toBe('ESRGAN \u00d74 \u2713');
      expect(metadata.get('flag')).toBe(true);
      expect(metadata.get('nothing')).toBeNull();
    });

    it('reads tuples, lists, nested dicts, sets, bytes and bytearrays', () => {
      expect(metadata.get('pair')).toEqual([1, 'a']);
      expect(metadata.get('list')).toEqual([1.5, [2]]);
      expect(metadata.get('nested')).toEqual(new Map([['a', new Map([['b', 3]])]]));
      expect(metadata.get('set')).toEqual(new Set([3]));
      expect(Array.from(metadata.get('bytes') as Uint8Array)).toEqual([0, 255]);
      expect(Array.from(metadata.get('bytearray') as Uint8Array)).toEqual([97, 98]);
    });

    it('keeps the order of an OrderedDict', () => {
      expect([...(metadata.get('ordered') as Map<string, number>)]).toEqual([
        ['z', 1],
        ['y', 2],
      ]);
    });

    it('rebuilds numpy scalars as numbers', () => {
      expect(metadata.get('iter')).toBe(1000);
      expect(metadata.get('half')).toBe(0.5);
    });

    it('keeps an argparse.Namespace as an opaque object holding its attributes', () => {
      const args = metadata.get('args') as PythonObject;
      expect(args).toBeInstanceOf(PythonObject);
      expect(args.type.qualifiedName).toBe('argparse.Namespace');
      expect(args.state).toEqual(
        new Map<string, unknown>([
          ['scale', 4],
          ['name', 'x4'],
        ]),
      );
    });

    it('gives an object pickled twice (through the memo) as one object', () => {
      const [first, second] = metadata.get('shared_twice') as unknown[][];
      expect(first).toEqual([1, 2]);
      expect(first).toBe(second);
    });
  });

  it('never calls a global it does not implement: os.system stays inert data', () => {
    const pickle = bytesOf('cos\nsystem\n(Vecho owned\ntR.');
    const value = unpickle(pickle).value as PythonObject;
    expect(value).toBeInstanceOf(PythonObject);
    expect(value.type).toEqual(new PythonGlobal('os', 'system'));
    expect(value.args).toEqual(['echo owned']);
  });

  it('calls only the functions findGlobal returns, with the pickled arguments', () => {
    const calls: unknown[][] = [];
    const findGlobal = (module: string, name: string) => (module === 'lib' && name === 'make' ? (...args: unknown[]) => (calls.push(args), 'made') : undefined);
    const pickle = bytesOf([0x80, 2], 'clib\nmake\n', [0x4b, 5, 0x8c, 1], 'x', [0x86, 0x52, 0x2e]);
    expect(unpickle(pickle, { findGlobal }).value).toBe('made');
    expect(calls).toEqual([[5, 'x']]);
  });

  it('maps Python 2 module names, as pickles made with fix_imports carry them', () => {
    const pickle = bytesOf('c__builtin__\nset\n((lI4\naI4\natR.');
    expect(unpickle(pickle, { findGlobal: findPythonGlobal }).value).toEqual(new Set([4]));
  });

  it('reads the Python 2 text opcodes: quoted strings with escapes, and LONG with its L suffix', () => {
    const pickle = bytesOf("(S'a\\'b\\x41\\n'\nL-12345678901234567890L\nF-2.5\nI00\nt.");
    expect(unpickle(pickle).value).toEqual(["a'bA\n", -12345678901234567890n, -2.5, false]);
  });

  it('gives the persistent ids to persistentLoad and puts its answer in their place', () => {
    const pickle = bytesOf([0x80, 2, 0x4b, 9, 0x85, 0x51, 0x2e]); // (9,) BINPERSID
    expect(unpickle(pickle, { persistentLoad: (id) => ({ loaded: id }) }).value).toEqual({ loaded: [9] });
  });

  it('reports where a pickle ends, so the next one in the same file can be read', () => {
    const two = bytesOf([0x80, 2, 0x4b, 1, 0x2e, 0x80, 2, 0x4b, 2, 0x2e]);
    const first = unpickle(two);
    expect(first).toEqual({ value: 1, end: 5 });
    expect(unpickle(two, {}, first.end)).toEqual({ value: 2, end: 10 });
  });

  it('names an opcode it refuses, and says where it is', () => {
    expect(() => unpickle(bytesOf([0x80, 2, 0x82, 240, 0x2e]))).toThrow('unsupported pickle opcode EXT1 (a copyreg extension code) at byte 2');
  });

  it('calls a byte that is no opcode corrupt data', () => {
    expect(() => unpickle(bytesOf([0x80, 2, 0xff]))).toThrow('unknown pickle opcode 0xff at byte 2 (corrupt data)');
  });

  it('says the file is truncated when the pickle stops before STOP', () => {
    expect(() => unpickle(bytesOf([0x80, 2, 0x58, 10, 0, 0, 0], 'abc'))).toThrow('the pickle ends early at byte 10 (the file is truncated)');
  });

  it('refuses a persistent id when no persistentLoad is given', () => {
    expect(() => unpickle(bytesOf([0x80, 2, 0x4b, 9, 0x51, 0x2e]))).toThrow(/corrupt pickle at byte 4: a persistent id/);
  });
});
