// `npm run bench`: bench/bench.mjs once per wasm binary, plain SIMD then relaxed SIMD, on this Node. Node 20 has
// relaxed SIMD only behind --experimental-wasm-relaxed-simd; Node 22+ has it by default and rejects that flag.
// Arguments are passed on (e.g. --quick, --only=...).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bench = fileURLToPath(new URL('../bench/bench.mjs', import.meta.url));
const relaxedFlags = Number(process.versions.node.split('.')[0]) === 20 ? ['--experimental-wasm-relaxed-simd'] : [];
for (const [simd, flags] of [
  ['simd', []],
  ['relaxed-simd', relaxedFlags],
]) {
  const r = spawnSync(process.execPath, [...flags, bench, `--simd=${simd}`, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
