// Shared by the browser tests: Chromium (chromium.mjs), a static server on 127.0.0.1 over the repository started
// by the test itself, and pages that record every console error and uncaught exception (their workers' too).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
// @ts-expect-error — plain .mjs scripts without type declarations
import { CHROMIUM, hasChromium, launch } from './chromium.mjs';
// @ts-expect-error — plain .mjs scripts without type declarations
import { serveStatic } from '../../scripts/serve.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Why the browser tests are skipped, or undefined when they can run. */
export const skipReason: string | undefined = hasChromium()
  ? undefined
  : `${CHROMIUM} is absent: install Debian's Chromium (apt-get install -y chromium; .ci/run does) to run the browser tests`;
if (skipReason) console.warn(`browser tests skipped: ${skipReason}`);

/** Builds dist-demo/ if stale (dist/ is built by `npm test` before vitest starts). */
export function buildDemo(): void {
  execFileSync(process.execPath, ['demo/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
}

export interface Server {
  url: string;
  close(): Promise<void>;
}

export const serve = (root: string, isolated = false): Promise<Server> => serveStatic({ root, isolated });

export interface Session {
  context: BrowserContext;
  url: string;
  /** A new page at `path` (relative to the server root); its console errors and page errors collect in `errors`. */
  open(path: string, base?: string): Promise<{ page: Page; errors: string[]; warnings: string[]; requests: string[] }>;
  close(): Promise<void>;
}

/** A browser and a server over `root`; `isolated`: the server sends COOP/COEP (shared memory, threads). */
export async function startSession(root = ROOT, isolated = false): Promise<Session> {
  const server = await serve(root, isolated);
  const browser: { context: BrowserContext; close(): Promise<void> } = await launch();
  return {
    context: browser.context,
    url: server.url,
    async open(path, base = server.url) {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      const warnings: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
        if (m.type() === 'warning') warnings.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      page.on('worker', (w) =>
        w.on('console', (m) => {
          if (m.type() === 'error') errors.push(`worker console: ${m.text()}`);
        }),
      );
      await page.goto(new URL(path, base).href);
      return { page, errors, warnings, requests };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
