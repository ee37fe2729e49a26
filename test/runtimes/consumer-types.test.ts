// The public .d.ts in strict TypeScript consumers of the built package (dist/), with the three sets of global types
// a project may have: the DOM's and Node's together, the DOM's alone (a bundler's app), Node's alone. Each passes
// the MessagePorts it has as init({ threadHost }): in a project with both, the global MessagePort type is the DOM's
// and Node's worker_threads port does not fit it, though it works at run time. scripts/ci-runtimes.mjs checks the
// packed package with Node's types alone on TypeScript 6 and 7 as well; this is the quick check of every `npm test`.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../browser/browser.js';

const dir = mkdtempSync(join(tmpdir(), 'zerodl-consumer-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The package as an install has it: its package.json and the .d.ts files (copied, so that the repository's own
// node_modules is not on their way up). Node's types are the repository's @types/node.
const pkg = join(dir, 'node_modules', 'zerodl');
mkdirSync(pkg, { recursive: true });
cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), {
  recursive: true,
  filter: (from) => statSync(from).isDirectory() || from.endsWith('.d.ts'),
});
mkdirSync(join(dir, 'node_modules', '@types'));
symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir');
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');

const nodePort = `import { MessageChannel as NodeChannel } from 'node:worker_threads';
await init({ threads: 2, threadHost: new NodeChannel().port1 });
await init({ threads: 2, threadHost: new (await import('node:worker_threads')).MessageChannel().port2 });
`;
const domPort = `await init({ threads: 2, threadHost: new MessageChannel().port1 });
`;
const common = `import { init, hostThreads, type InitOptions, type ThreadHostPort } from 'zerodl';
await init({ threads: 2, threadHost: hostThreads().port });
const options: InitOptions = { threads: 2 };
const port: ThreadHostPort | undefined = undefined;
void [options, port];
`;
// Where the DOM's MessagePort type is there, a value that is no port is refused (Node's alone leave the global
// MessagePort an empty interface, zerodl's: any object fits it there, and init() throws its ValueError at run time).
const notAPort = `// @ts-expect-error a number is no MessagePort
await init({ threads: 2, threadHost: 42 });
// @ts-expect-error an object without the port's methods neither
await init({ threads: 2, threadHost: { postMessage() {} } });
`;

const consumers = [
  {
    name: 'DOM and Node types',
    lib: ['es2023', 'dom'],
    types: ['node'],
    resolution: 'nodenext',
    code: common + nodePort + domPort + notAPort,
  },
  {
    name: 'DOM types only',
    lib: ['es2023', 'dom'],
    types: [],
    resolution: 'bundler',
    code: common + domPort + notAPort,
  },
  { name: 'Node types only', lib: ['es2023'], types: ['node'], resolution: 'nodenext', code: common + nodePort },
];

describe('the public types in a strict consumer (skipLibCheck false)', () => {
  it.each(consumers)('$name (moduleResolution $resolution)', async (c) => {
    const file = `${c.name.replace(/\W+/g, '-')}.ts`;
    writeFileSync(join(dir, file), c.code);
    const config = join(dir, `tsconfig.${file}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        compilerOptions: {
          strict: true,
          lib: c.lib,
          types: c.types,
          skipLibCheck: false,
          noEmit: true,
          target: 'es2023',
          module: c.resolution === 'nodenext' ? 'nodenext' : 'esnext',
          moduleResolution: c.resolution,
        },
        files: [file],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const out = await promisify(execFile)(process.execPath, [tsc, '-p', config], { cwd: dir, encoding: 'utf8' }).then(
      () => '',
      (e: { stdout?: string; stderr?: string; message: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message,
    );
    expect(out).toBe('');
  });
});
