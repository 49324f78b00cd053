/**
 * The report in a real browser: Debian's chromium, headless, driven over the
 * DevTools protocol by puppeteer-core (which never downloads a browser).
 * Checks the rendered DOM against the SBOM, that the page requests nothing
 * and breaks no CSP rule, and keeps a screenshot in test-artifacts/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';
import { needTools } from '../helpers/toolchain.js';
import { deviceInputs } from './device.js';

const env = { SOURCE_DATE_EPOCH: '1700000000' };

// page.evaluate callbacks run in the browser; the project compiles without the DOM library
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;

test('report of the corpus device SBOM in headless Chromium: DOM counts equal the SBOM, no request leaves the page, screenshot kept', async (t) => {
  if (!needTools(t, 'chromium')) return;
  const d = mkdtempSync(join(tmpdir(), 'beambake-report-browser-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  const { sbom, vuln } = deviceInputs(d);
  const html = join(d, 'report.html');
  const r = runCli(['report', '--sbom', sbom, '--vuln', vuln, '--check-profile', 'bsi-tr-03183-2', '-o', html], { env });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(readFileSync(sbom, 'utf8')) as { components: { name: string; purl?: string }[] };
  const vulnDoc = JSON.parse(readFileSync(vuln, 'utf8')) as { findings: { status: string }[] };

  const executablePath = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim();
  const puppeteer = (await import('puppeteer-core')).default;
  const browser = await puppeteer.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'] });
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1800 });
  const url = pathToFileURL(html).href;
  const requests: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    if (req.url() !== url) {
      requests.push(req.url());
      void req.abort();
    } else void req.continue();
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e: any) => {
      ((window as unknown as { cspViolations: string[] }).cspViolations ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(url, { waitUntil: 'load' });

  const dom = await page.evaluate(() => ({
    components: document.getElementById('count-components')!.textContent,
    rows: document.querySelectorAll('#components-body tr').length,
    status: document.getElementById('table-status')!.textContent,
    matching: document.getElementById('table-status')!.getAttribute('data-matching'),
    affected: document.getElementById('vuln-count-affected')!.textContent,
    fixed: document.getElementById('vuln-count-fixed')!.textContent,
    svgNodes: document.querySelectorAll('#dependency-graph g.node').length,
    layerRows: [...document.querySelectorAll('#by-layer tbody tr')].map((tr: any) => Number(tr.lastElementChild.textContent)),
    csp: (window as unknown as { cspViolations?: string[] }).cspViolations ?? [],
  }));
  assert.equal(Number(dom.components), doc.components.length);
  assert.equal(Number(dom.matching), doc.components.length);
  assert.equal(dom.rows, Math.min(50, doc.components.length));
  assert.equal(dom.status, `Showing 1\u2013${Math.min(50, doc.components.length)} of ${doc.components.length}`);
  assert.equal(dom.layerRows.reduce((a, b) => a + b, 0), doc.components.length);
  assert.equal(Number(dom.affected), vulnDoc.findings.filter((f) => f.status === 'affected').length);
  assert.equal(Number(dom.fixed), vulnDoc.findings.filter((f) => f.status === 'fixed').length);
  assert.ok(dom.svgNodes > 2);

  // every page of the table together holds every component once
  let seen = dom.rows;
  for (let i = 0; i < 100 && !(await page.$eval('#page-next', (b) => (b as unknown as { disabled: boolean }).disabled)); i++) {
    await page.click('#page-next');
    seen += await page.$$eval('#components-body tr', (trs) => trs.length);
  }
  assert.equal(seen, doc.components.length);

  // search narrows to the components that mention the term
  await page.type('#component-search', 'phoenix');
  const matching = Number(await page.$eval('#table-status', (s) => s.getAttribute('data-matching')));
  const expected = doc.components.filter((c) => c.name.includes('phoenix') || (c.purl ?? '').includes('phoenix')).length;
  assert.equal(matching, expected);
  assert.ok(matching > 0);
  await page.click('#component-search', { clickCount: 3 });
  await page.keyboard.press('Backspace');

  assert.deepEqual(requests, [], 'the page requested nothing beyond itself');
  assert.deepEqual(dom.csp, [], 'no Content-Security-Policy violation');
  assert.deepEqual(errors, []);

  const artifacts = join(repoRoot, 'test-artifacts', 'report');
  mkdirSync(artifacts, { recursive: true });
  const shot = join(artifacts, 'device-report.png');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: shot as `${string}.png`, fullPage: true });
  t.diagnostic(`screenshot: ${shot}`);
});
