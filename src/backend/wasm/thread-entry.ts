// The kernel thread as a script file: scripts/build.mjs bundles this into dist/zerodl-thread.js (a classic script,
// so that every engine can start it as a plain `new Worker(url)`), which browsers start threads from (spawn.ts).
import { threadMain } from './thread-main.js';

threadMain();
