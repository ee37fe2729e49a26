// The parts every section page shares: the page frame (heading, link to the demo, previous/next section), one
// panel per experiment (knobs, quick/full, Run and Stop, a progress line, the figures drawn with vega-embed as they
// fill in, the summary table, the book's findings ✓/✗) and the knobs' state in the URL's query string.
//
// A knob either becomes an option of the experiment (`toOptions`: only options the experiment reads) or only
// chooses which of the run's figures is shown (`show`). Redraws are coalesced: at most one per figure every
// REDRAW_MS, inside a requestAnimationFrame, so the page's main thread leaves the Worker's CPU alone.
import embed, { type Result } from 'vega-embed';
import type { ExperimentResult } from '../../src/experiments/types.js';
import type { VegaLiteSpec } from '../../src/plot/specs.js';
import { type RunOptions, type SectionId, SECTIONS } from '../protocol.js';
import { runInWorker } from '../run.js';

/** At most 4 redraws a second per figure while an experiment runs. */
export const REDRAW_MS = 250;
/** Below this chart width (px) a single view's legend is drawn under the plot instead of beside it. */
const NARROW_PX = 520;

export interface Knob {
  /** The key in the URL (prefixed by the experiment's name) and the input's name. */
  key: string;
  label: string;
  kind: 'number' | 'range' | 'select' | 'checks';
  /** Default value (checks: the checked values, comma-separated). */
  value: string;
  min?: number;
  max?: number;
  step?: number;
  choices?: { value: string; label: string }[];
  /** A line under the control. */
  hint?: string;
}

export interface FigureText {
  /** The figure's name as the experiment emits it (`<name>.svg` for the CLI). */
  name: string;
  /** What to look for: the book's finding, in a sentence or two. */
  caption: string;
}

export interface ExperimentPanel {
  name: string;
  heading: string;
  intro: string;
  figures: FigureText[];
  knobs: Knob[];
  /** The experiment's options from the knobs' values (only options the experiment reads). */
  toOptions?(values: Record<string, string>): RunOptions;
  /** Whether figure `name` is shown with these knob values (default: all are). */
  show?(name: string, values: Record<string, string>): boolean;
  /** Reruns as soon as a knob changes (cheap experiments). */
  live?: boolean;
  /**
   * A note when the run did not use the knobs' values (an option the experiment does not read yet), from what
   * its result reports; shown beside the findings.
   */
  ignored?(result: ExperimentResult, values: Record<string, string>): string | undefined;
  /** Called after each draw of a figure (e.g. to listen for clicks on it). */
  onDraw?(name: string, result: Result, panel: PanelHandle): void;
}

export interface PanelHandle {
  values(): Record<string, string>;
  /** Sets knob values (as if typed), updates the URL and, for a live panel, reruns. */
  set(values: Record<string, string>): void;
  run(): void;
}

/** What the tests read: per experiment, whether it runs, how it ended, how often each figure was drawn. */
export interface PanelState {
  running: boolean;
  status: 'idle' | 'running' | 'done' | 'stopped' | 'error';
  error?: string;
  result?: ExperimentResult;
  draws: Record<string, number>;
  /** The spec last drawn per figure, as JSON (tests compare them). */
  specs: Record<string, string>;
  runs: number;
  /** The last run's note on knob values it did not use. */
  ignored?: string;
  /** The last run's latest MNIST progress (fromCache: read from the Cache API), if it loaded MNIST. */
  mnist?: { loadedBytes: number; totalBytes: number; fromCache: boolean; done: boolean };
}

declare global {
  interface Window {
    zerodlSite?: { section: SectionId; panels: Record<string, PanelState>; handles: Record<string, PanelHandle> };
  }
}

const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
};

const IDS = Object.keys(SECTIONS) as SectionId[];
const pageOf = (id: SectionId) => `${id.replace('.', '-')}.html`;

/** Builds the page of section `id` with its experiment panels into <main id="app">. */
export function mountSection(id: SectionId, intro: string, panels: ExperimentPanel[]): void {
  const app = document.getElementById('app')!;
  const i = IDS.indexOf(id);
  const nav = el('nav', { 'aria-label': 'chapter 6' });
  nav.append(el('a', { href: '../index.html', text: '← demo' }));
  if (i > 0)
    nav.append(
      el('a', { href: pageOf(IDS[i - 1]), rel: 'prev', text: `← ${IDS[i - 1]} ${SECTIONS[IDS[i - 1]].title}` }),
    );
  if (i < IDS.length - 1)
    nav.append(
      el('a', { href: pageOf(IDS[i + 1]), rel: 'next', text: `${IDS[i + 1]} ${SECTIONS[IDS[i + 1]].title} →` }),
    );
  app.append(
    el('header', {}, nav, el('h1', { text: `${id} ${SECTIONS[id].title}` }), el('p', { class: 'intro', text: intro })),
  );
  document.title = `${id} ${SECTIONS[id].title} — zerodl`;
  window.zerodlSite = { section: id, panels: {}, handles: {} };
  for (const p of panels) app.append(mountPanel(p));
}

function knobControl(p: ExperimentPanel, k: Knob, value: string): HTMLElement {
  const id = `${p.name}-${k.key}`;
  const wrap = el('div', { class: `knob knob-${k.kind}` });
  if (k.kind === 'checks') {
    const set = new Set(value.split(',').filter(Boolean));
    const fs = el('fieldset', { 'data-knob': k.key }, el('legend', { text: k.label }));
    for (const c of k.choices ?? []) {
      const cid = `${id}-${c.value}`;
      const box = el('input', { type: 'checkbox', id: cid, name: k.key, value: c.value });
      box.checked = set.has(c.value);
      fs.append(el('span', { class: 'check' }, box, el('label', { for: cid, text: c.label })));
    }
    wrap.append(fs);
  } else if (k.kind === 'select') {
    const sel = el('select', { id, name: k.key, 'data-knob': k.key });
    for (const c of k.choices ?? []) sel.append(el('option', { value: c.value, text: c.label }));
    sel.value = value;
    wrap.append(el('label', { for: id, text: k.label }), sel);
  } else {
    const input = el('input', { id, name: k.key, type: k.kind, 'data-knob': k.key });
    if (k.min !== undefined) input.min = String(k.min);
    if (k.max !== undefined) input.max = String(k.max);
    input.step = k.step !== undefined ? String(k.step) : 'any';
    input.value = value;
    wrap.append(el('label', { for: id, text: k.label }), input);
    if (k.kind === 'range') {
      const out = el('output', { for: id, text: value });
      input.addEventListener('input', () => {
        out.textContent = input.value;
      });
      wrap.append(out);
    }
  }
  if (k.hint) wrap.append(el('small', { text: k.hint }));
  return wrap;
}

function readKnob(root: HTMLElement, k: Knob): string {
  if (k.kind === 'checks') {
    return [...root.querySelectorAll<HTMLInputElement>(`fieldset[data-knob="${k.key}"] input:checked`)]
      .map((b) => b.value)
      .join(',');
  }
  return root.querySelector<HTMLInputElement>(`[data-knob="${k.key}"]`)!.value;
}

function writeKnob(root: HTMLElement, k: Knob, v: string): void {
  if (k.kind === 'checks') {
    const set = new Set(v.split(','));
    for (const b of root.querySelectorAll<HTMLInputElement>(`fieldset[data-knob="${k.key}"] input`))
      b.checked = set.has(b.value);
    return;
  }
  const input = root.querySelector<HTMLInputElement>(`[data-knob="${k.key}"]`)!;
  input.value = v;
  input.dispatchEvent(new Event('input'));
}

/** The URL's state of a panel: `<experiment>.<knob>=value`, `<experiment>.mode=full`. */
function urlValues(p: ExperimentPanel): Record<string, string> {
  const q = new URLSearchParams(location.search);
  const v: Record<string, string> = {};
  for (const k of [...p.knobs.map((k) => k.key), 'mode']) {
    const s = q.get(`${p.name}.${k}`);
    if (s !== null) v[k] = s;
  }
  return v;
}

function writeUrl(p: ExperimentPanel, values: Record<string, string>, defaults: Record<string, string>): void {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(values)) {
    if (v === defaults[k]) q.delete(`${p.name}.${k}`);
    else q.set(`${p.name}.${k}`, v);
  }
  const s = q.toString();
  history.replaceState(null, '', `${location.pathname}${s ? `?${s}` : ''}${location.hash}`);
}

function mountPanel(p: ExperimentPanel): HTMLElement {
  const state: PanelState = { running: false, status: 'idle', draws: {}, specs: {}, runs: 0 };
  window.zerodlSite!.panels[p.name] = state;
  const defaults: Record<string, string> = { mode: 'quick' };
  for (const k of p.knobs) defaults[k.key] = k.value;
  const initial = { ...defaults, ...urlValues(p) };

  const section = el('section', { class: 'experiment', id: p.name, 'aria-labelledby': `${p.name}-h` });
  section.append(el('h2', { id: `${p.name}-h`, text: p.heading }), el('p', { class: 'intro', text: p.intro }));

  const form = el('form', { class: 'knobs', 'aria-label': `${p.heading}: settings` });
  for (const k of p.knobs) form.append(knobControl(p, k, initial[k.key]));
  const modeId = `${p.name}-mode`;
  const mode = el(
    'select',
    { id: modeId, name: 'mode', 'data-knob': 'mode' },
    el('option', { value: 'quick', text: 'quick (smaller, same finding)' }),
    el('option', { value: 'full', text: 'full (the book’s run)' }),
  );
  mode.value = initial.mode === 'full' ? 'full' : 'quick';
  form.append(el('div', { class: 'knob' }, el('label', { for: modeId, text: 'Run size' }), mode));
  const runBtn = el('button', { type: 'submit', class: 'run', text: 'Run' });
  const stopBtn = el('button', { type: 'button', class: 'stop', text: 'Stop' });
  stopBtn.disabled = true;
  form.append(el('div', { class: 'buttons' }, runBtn, stopBtn));
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite', text: 'Not run yet.' });
  section.append(form, status);

  const figs = el('div', { class: 'figures' });
  const boxes = new Map<string, { box: HTMLElement; chart: HTMLElement }>();
  const figureBox = (name: string) => {
    let b = boxes.get(name);
    if (!b) {
      const caption = p.figures.find((f) => f.name === name)?.caption ?? '';
      const chart = el('div', { class: 'chart', 'data-figure': name });
      const box = el('figure', { class: 'figure' }, chart, el('figcaption', { text: caption }));
      b = { box, chart };
      boxes.set(name, b);
      figs.append(box);
    }
    return b;
  };
  for (const f of p.figures) figureBox(f.name).chart.append(el('p', { class: 'placeholder', text: 'Run to draw.' }));
  const summary = el('div', { class: 'summary' });
  const findings = el('ul', { class: 'findings', 'aria-label': 'the book’s findings' });
  section.append(figs, summary, findings);

  const values = (): Record<string, string> => {
    const v: Record<string, string> = { mode: mode.value };
    for (const k of p.knobs) v[k.key] = readKnob(form, k);
    return v;
  };
  const applyShow = () => {
    const v = values();
    for (const [name, b] of boxes) b.box.hidden = p.show ? !p.show(name, v) : false;
  };

  // ── drawing, coalesced ──
  const pending = new Map<string, VegaLiteSpec>();
  const views = new Map<string, Result>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastFlush = 0;
  let drawing = Promise.resolve();
  const flush = () => {
    timer = undefined;
    requestAnimationFrame(() => {
      lastFlush = performance.now();
      const batch = [...pending];
      pending.clear();
      drawing = drawing.then(async () => {
        for (const [name, spec] of batch) await draw(name, spec);
      });
    });
  };
  const schedule = (name: string, spec: VegaLiteSpec, now: boolean) => {
    pending.set(name, spec);
    if (timer !== undefined) {
      if (!now) return;
      clearTimeout(timer);
    }
    timer = setTimeout(flush, now ? 0 : Math.max(0, lastFlush + REDRAW_MS - performance.now()));
  };
  // A figure redrawn when the page's width changes (a phone turned), so that its title wraps to the new width.
  const drawn = new Map<string, VegaLiteSpec>();
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  let lastWidth = window.innerWidth;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (Math.abs(window.innerWidth - lastWidth) < 40) return;
      lastWidth = window.innerWidth;
      for (const [name, spec] of drawn) if (!pending.has(name)) schedule(name, spec, true);
    }, 300);
  });
  async function draw(name: string, spec: VegaLiteSpec): Promise<void> {
    drawn.set(name, spec);
    const { chart } = figureBox(name);
    // Vega-Lite fits only single and layered views to their container; a concat or facet keeps its own width
    // and its SVG is scaled down by the stylesheet when the box is narrower.
    const raw = spec as Record<string, unknown>;
    const single = !['concat', 'hconcat', 'vconcat', 'facet', 'repeat'].some((k) => k in raw);
    const sized = single ? { ...raw, width: 'container', autosize: { type: 'fit-x', contains: 'padding' } } : raw;
    // On a narrow screen a single view's legend goes below the plot: beside it, it takes the width the title and
    // the plot need (a 390 px phone clipped the 6.1 MNIST figure's title).
    const narrow = single && chart.clientWidth > 0 && chart.clientWidth < NARROW_PX;
    const config = raw.config as Record<string, unknown> | undefined;
    const laidOut = narrow
      ? {
          ...sized,
          config: {
            ...config,
            legend: { ...(config?.legend as object), orient: 'bottom', direction: 'horizontal', columns: 2 },
          },
        }
      : sized;
    const fitted = { ...laidOut, title: wrapTitle(raw.title, chart.clientWidth) };
    views.get(name)?.finalize();
    chart.replaceChildren();
    const target = el('div');
    chart.append(target);
    try {
      const r = await embed(target, fitted as never, { actions: false, renderer: 'svg' });
      views.set(name, r);
      state.draws[name] = (state.draws[name] ?? 0) + 1;
      state.specs[name] = JSON.stringify(spec);
      p.onDraw?.(name, r, handle);
    } catch (e) {
      chart.replaceChildren(el('p', { class: 'error', text: `could not draw ${name}: ${(e as Error).message}` }));
    }
    applyShow();
  }

  // ── running ──
  let controller: AbortController | undefined;
  const setStatus = (text: string, cls = '') => {
    status.textContent = text;
    status.className = `status ${cls}`;
  };
  async function run(): Promise<void> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    const v = values();
    const options: RunOptions = { ...(p.toOptions?.(v) ?? {}), quick: v.mode !== 'full' };
    state.running = true;
    state.status = 'running';
    state.error = undefined;
    state.result = undefined;
    state.mnist = undefined;
    state.runs++;
    runBtn.disabled = true;
    stopBtn.disabled = false;
    summary.replaceChildren();
    findings.replaceChildren();
    section.querySelector('p.note')?.remove();
    setStatus(`running ${p.name} (${v.mode})…`, 'running');
    try {
      const result = await runInWorker(
        p.name,
        options,
        {
          onFigure: (name, spec, final) => {
            if (controller === mine) schedule(name, spec, final);
          },
          onLog: (line) => {
            if (controller === mine) setStatus(line, 'running');
          },
          onMnist: (m) => {
            if (controller !== mine) return;
            state.mnist = {
              loadedBytes: m.loadedBytes,
              totalBytes: m.totalBytes,
              fromCache: m.fromCache,
              done: m.done,
            };
            if (m.done) return;
            const mb = (n: number) => (n / 1e6).toFixed(1);
            setStatus(
              `loading MNIST${m.fromCache ? ' from the cache' : ''}: ${mb(m.loadedBytes)} / ${mb(m.totalBytes)} MB`,
              'running',
            );
          },
        },
        mine.signal,
      );
      if (controller !== mine) return;
      state.result = result;
      state.status = 'done';
      const held = result.findings.filter((f) => f.holds).length;
      setStatus(
        `done in ${result.seconds.toFixed(1)} s (${result.quick ? 'quick' : 'full'}, seed ${result.seed}): ` +
          `${held} of ${result.findings.length} findings hold`,
        held === result.findings.length ? 'done' : 'error',
      );
      showResult(result);
      const note = p.ignored?.(result, v);
      state.ignored = note;
      if (note) findings.after(el('p', { class: 'note', role: 'note', text: note }));
    } catch (e) {
      if (controller !== mine) return;
      const err = e as Error;
      if (err.name === 'AbortError') {
        state.status = 'stopped';
        setStatus('stopped.', 'stopped');
      } else {
        state.status = 'error';
        state.error = `${err.name}: ${err.message}`;
        setStatus(state.error, 'error');
      }
    } finally {
      if (controller === mine) {
        controller = undefined;
        state.running = false;
        runBtn.disabled = false;
        stopBtn.disabled = true;
      }
    }
  }
  function showResult(result: ExperimentResult): void {
    const table = el('table');
    table.append(el('caption', { text: result.title }));
    const head = el('tr');
    for (const c of result.summary.columns) head.append(el('th', { scope: 'col', text: c }));
    table.append(el('thead', {}, head));
    const body = el('tbody');
    for (const row of result.summary.rows) {
      const tr = el('tr');
      for (const cell of row) tr.append(el('td', { text: String(cell) }));
      body.append(tr);
    }
    table.append(body);
    summary.replaceChildren(
      el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'summary' }, table),
    );
    findings.replaceChildren(
      ...result.findings.map((f) =>
        el(
          'li',
          { class: f.holds ? 'holds' : 'fails' },
          el('span', { class: 'mark', 'aria-label': f.holds ? 'holds' : 'does not hold', text: f.holds ? '✓' : '✗' }),
          ` ${f.claim}`,
        ),
      ),
    );
  }

  // ── knobs → URL (and a rerun for live panels) ──
  let liveTimer: ReturnType<typeof setTimeout> | undefined;
  const changed = () => {
    writeUrl(p, values(), defaults);
    applyShow();
    if (p.live) {
      clearTimeout(liveTimer);
      liveTimer = setTimeout(() => void run(), 120);
    }
  };
  form.addEventListener('input', changed);
  form.addEventListener('change', changed);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run();
  });
  stopBtn.addEventListener('click', () => controller?.abort());

  const handle: PanelHandle = {
    values,
    set(v) {
      for (const k of p.knobs) if (v[k.key] !== undefined) writeKnob(form, k, v[k.key]);
      changed();
    },
    run: () => void run(),
  };
  window.zerodlSite!.handles[p.name] = handle;
  applyShow();
  if (p.live) void run();
  return section;
}

/** A long string title broken into lines that fit `width` px (about 8 px a character of the bold 13 px title). */
function wrapTitle(title: unknown, width: number): unknown {
  const max = Math.max(20, Math.floor(width / 8));
  if (typeof title !== 'string' || title.length <= max || width === 0) return title;
  const lines: string[] = [];
  let line = '';
  for (const word of title.split(' ')) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
