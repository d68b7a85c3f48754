/** A bump allocator over a module's memory for one call; 16-byte aligned for SIMD loads. */
export class WasmLayout {
  private top = 1024;

  alloc(bytes: number): number {
    const at = this.top;
    this.top += Math.ceil(bytes / 16) * 16;
    return at;
  }

  /** Grow the memory to hold everything allocated so far. */
  ensure(memory: WebAssembly.Memory): void {
    const missing = Math.ceil(this.top / 65536) - memory.buffer.byteLength / 65536;
    if (missing > 0) memory.grow(missing);
  }
}
