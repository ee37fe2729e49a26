// `import bytes from '…/x.wasm'`: esbuild's binary loader turns the file into a Uint8Array (src/inline.ts).
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
