// The three browser engines behind one small interface, each from Debian's packages and never a downloaded browser:
// - chromium: /usr/bin/chromium driven by playwright-core (CDP);
// - firefox:  /usr/bin/firefox-esr driven by puppeteer-core over WebDriver BiDi (no geckodriver);
// - webkit:   WebKitGTK's MiniBrowser through /usr/bin/WebKitWebDriver (webkit2gtk-driver), driven by webdriverio,
//             under an Xvfb display started here (the nearest engine to Safari on Linux).
// launchEngine(name, options) → { name, open(url), close() }; open() gives a page with evaluate(fn, arg), where `fn`
// is sent as source text (it must be self-contained) and may return a promise, and log() → { errors, warnings }: the
// page's console.error/console.warn calls and its uncaught errors and rejections. WebDriver classic has no console
// access, so every engine gets the same capture script (CAPTURE): before the page's own scripts in Chromium and
// Firefox (an init script), right after load in WebKit — there, errors during load show only where the page records
// them itself (fixtures/engine.html's window.__errors, document.title). Workers' consoles are not captured.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ENGINES = ['chromium', 'firefox', 'webkit'];
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const XVFB = '/usr/bin/Xvfb';

/** Why an engine cannot run here (a missing Debian package), or undefined. */
export function engineMissing(name) {
  const need = {
    chromium: [[CHROMIUM, 'chromium']],
    firefox: [[FIREFOX, 'firefox-esr']],
    webkit: [
      [WEBKIT_DRIVER, 'webkit2gtk-driver'],
      [MINIBROWSER, 'webkit2gtk-driver'],
      [XVFB, 'xvfb'],
    ],
  }[name];
  if (!need) return `unknown engine ${name}`;
  const absent = need.filter(([p]) => !existsSync(p));
  return absent.length
    ? `${absent.map(([p]) => p).join(', ')} absent (apt-get install -y ${[...new Set(absent.map(([, d]) => d))].join(' ')}; .ci/run does)`
    : undefined;
}

// Installed once per document; console methods still print, the calls are also kept in window.__zerodlLog.
const CAPTURE = `(() => {
  if (window.__zerodlLog) return;
  const log = (window.__zerodlLog = { errors: [], warnings: [] });
  const text = (a) => a.map((v) => (v instanceof Error ? v.message : String(v))).join(' ');
  const error = console.error.bind(console), warn = console.warn.bind(console);
  console.error = (...a) => { log.errors.push('console: ' + text(a)); error(...a); };
  console.warn = (...a) => { log.warnings.push(text(a)); warn(...a); };
  addEventListener('error', (e) => log.errors.push('pageerror: ' + e.message));
  addEventListener('unhandledrejection', (e) => log.errors.push('unhandled rejection: ' + text([e.reason])));
})();`;
const READ_LOG = () => {
  const log = window.__zerodlLog ?? { errors: ['the capture script is missing'], warnings: [] };
  return { errors: [...log.errors], warnings: [...log.warnings] };
};

const call = (fn, arg) => `(${fn})(${arg === undefined ? '' : JSON.stringify(arg)})`;

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitFor(check, what, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * options: chromiumArgs (extra command-line flags), firefoxPrefs (about:config prefs), webkitEnv (environment of
 * the WebKit processes, e.g. { JSC_useWasmSIMD: 'false' }).
 */
export async function launchEngine(name, options = {}) {
  const missing = engineMissing(name);
  if (missing) throw new Error(`${name}: ${missing}`);
  if (name === 'chromium') return launchChromium(options);
  if (name === 'firefox') return launchFirefox(options);
  return launchWebKit(options);
}

async function launchChromium({ chromiumArgs = [] }) {
  const { chromium } = await import('playwright-core');
  // @ts-expect-error — a plain .mjs beside this one
  const { FLAGS } = await import('./chromium.mjs');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...FLAGS, ...chromiumArgs],
  });
  const context = await browser.newContext();
  await context.addInitScript(CAPTURE);
  return {
    name: 'chromium',
    async open(url) {
      const page = await context.newPage();
      await page.goto(url);
      const evaluate = (fn, arg) => page.evaluate(call(fn, arg));
      return { evaluate, log: () => evaluate(READ_LOG), close: () => page.close() };
    },
    close: () => browser.close(),
  };
}

async function launchFirefox({ firefoxPrefs = {} }) {
  const puppeteer = (await import('puppeteer-core')).default;
  const profile = mkdtempSync(join(tmpdir(), 'zerodl-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    protocol: 'webDriverBiDi',
    userDataDir: profile,
    extraPrefsFirefox: { 'browser.shell.checkDefaultBrowser': false, 'app.update.enabled': false, ...firefoxPrefs },
    protocolTimeout: 600_000,
  });
  return {
    name: 'firefox',
    async open(url) {
      const page = await browser.newPage();
      page.setDefaultTimeout(600_000);
      await page.evaluateOnNewDocument(CAPTURE);
      await page.goto(url);
      const evaluate = (fn, arg) => page.evaluate(call(fn, arg));
      return { evaluate, log: () => evaluate(READ_LOG), close: () => page.close() };
    },
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

async function launchWebKit({ webkitEnv = {} }) {
  const { remote } = await import('webdriverio');
  const procs = [];
  const kill = () => {
    for (const p of procs.reverse()) if (p.exitCode === null) p.kill('SIGTERM');
  };
  try {
    // A display of our own: the lowest free number from 90 (Xvfb -displayfd picks and reports it).
    const xvfb = spawn(XVFB, ['-displayfd', '1', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    procs.push(xvfb);
    const display = await new Promise((ok, fail) => {
      let out = '';
      xvfb.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) ok(`:${out.trim()}`);
      });
      xvfb.once('exit', (c) => fail(new Error(`Xvfb exited with ${c}`)));
      setTimeout(() => fail(new Error('Xvfb did not report its display in 10 s')), 10_000);
    });
    const port = await freePort();
    const env = { ...process.env, DISPLAY: display, WEBKIT_DISABLE_COMPOSITING_MODE: '1', ...webkitEnv };
    const driver = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1'], { env, stdio: 'ignore' });
    procs.push(driver);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/status`)).ok, 'WebKitWebDriver');
    const browser = await remote({
      hostname: '127.0.0.1',
      port,
      path: '/',
      logLevel: 'error',
      connectionRetryTimeout: 600_000,
      capabilities: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } },
    });
    await browser.setTimeout({ script: 600_000, pageLoad: 60_000 });
    return {
      name: 'webkit',
      async open(url) {
        await browser.url(url); // one window: a new open() replaces the last page
        // execute/async with a callback: the result (or the error's text) comes back as JSON.
        const evaluate = async (fn, arg) => {
          const r = await browser.executeAsync(`const done = arguments[arguments.length - 1];
            Promise.resolve().then(() => ${call(fn, arg)}).then((value) => done({ value }),
              (e) => done({ error: String(e && e.stack || e) }));`);
          if (r && r.error !== undefined) throw new Error(`in WebKit: ${r.error}`);
          return r?.value;
        };
        await browser.execute(CAPTURE); // after load: see the note at the top
        return { evaluate, log: () => evaluate(READ_LOG), close: async () => {} };
      },
      async close() {
        try {
          await browser.deleteSession();
        } finally {
          kill();
        }
      },
    };
  } catch (e) {
    kill();
    throw e;
  }
}
