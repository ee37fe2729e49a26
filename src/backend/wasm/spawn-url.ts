// Where a browser kernel thread's script file is: zerodl-thread.js beside the bundle that contains this module
// (scripts/build.mjs writes dist/zerodl-thread.js beside dist/index.js; an app's bundler copies it as it copies the
// .wasm files, and Vite follows the literal itself — keep it a string literal). The zerodl/inline build replaces
// this module with one that returns undefined: that entry is for setups that serve no files of zerodl's, so its
// threads start from a Blob URL straight away. Under src/ (vitest) there is no such file: browsers would fall back.

/** The thread script's URL, or undefined where this bundle cannot name one (a data: or blob: module, inline). */
export function threadScriptUrl(): URL | undefined {
  try {
    return new URL('./zerodl-thread.js', import.meta.url);
  } catch {
    return undefined; // import.meta.url is not a base a relative URL resolves against
  }
}
