import { float16ToFloat32 } from '../../io/halfFloat.js';
import { EnhanceError } from '../../errors.js';

/**
 * Storage tags that precede a layer's main weights in an ncnn `.bin` (ncnn's src/modelbin.cpp). Biases,
 * PReLU slopes and other small arrays are raw float32 without a tag.
 */
const TAG_FLOAT32 = 0;
const TAG_FLOAT16 = 0x01306b47;
/** float32 data "with extra scaling" in ncnn's loader, read exactly as plain float32. */
const TAG_FLOAT32_SCALED = 0x0002c056;
const TAG_INT8 = 0x000d4b38;

const align4 = (bytes: number): number => Math.ceil(bytes / 4) * 4;

/** Reads an ncnn `.bin` front to back, in the order the layers of the `.param` load their weights. */
export class NcnnWeightReader {
  private offset = 0;

  private readonly bytes: Uint8Array;

  constructor(
    bytes: Uint8Array,
    private readonly file: string,
  ) {
    // A plain Uint8Array view: a Node Buffer's slice() would share memory instead of copying.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Weights preceded by their 4-byte storage tag (Convolution, Deconvolution, InnerProduct... weight data). */
  taggedWeights(count: number, owner: string): Float32Array {
    const tag = new DataView(this.take(4, `the storage tag of ${owner}'s weights`).slice().buffer).getUint32(0, true);
    switch (tag) {
      case TAG_FLOAT32:
      case TAG_FLOAT32_SCALED:
        return this.float32(count, `${owner}'s weights`);
      case TAG_FLOAT16: {
        return float16ToFloat32(this.take(align4(2 * count), `${owner}'s float16 weights`), count);
      }
      case TAG_INT8:
        return this.fail(`${owner} has int8-quantized weights, which are not supported (use a float32 or float16 model)`);
      default:
        return this.fail(`${owner} has weights with storage tag 0x${tag.toString(16).padStart(8, '0')} (quantized), which are not supported (use a float32 or float16 model)`);
    }
  }

  /** Raw little-endian float32 values with no tag (biases, PReLU slopes). */
  rawFloats(count: number, owner: string, what: string): Float32Array {
    return this.float32(count, `${owner}'s ${what}`);
  }

  private float32(count: number, what: string): Float32Array {
    // slice() copies into a fresh, 4-byte-aligned buffer.
    return new Float32Array(this.take(4 * count, what).slice().buffer);
  }

  private take(length: number, what: string): Uint8Array {
    if (this.offset + length > this.bytes.length) {
      this.fail(`ends at byte ${this.bytes.length} while reading ${what} (${length} bytes from byte ${this.offset}): truncated, or not the weights of this .param`);
    }
    const part = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return part;
  }

  private fail(problem: string): never {
    throw new EnhanceError(problem, { file: this.file });
  }
}
