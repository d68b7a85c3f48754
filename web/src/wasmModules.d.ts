/** A .wasm file bundled as its bytes (esbuild's binary loader, scripts/buildWeb.mjs). */
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
