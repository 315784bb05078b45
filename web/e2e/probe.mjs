// Drives the dashboard in Debian's headless Chromium (playwright-core, no downloaded browser) and prints
// one JSON line with what the page showed; tests/Dashboard.Tests asserts on it.
// Usage: node probe.mjs SCENARIO   env: COLABO_URL, COLABO_TOKEN, COLABO_ARGS (JSON), COLABO_SCREENSHOTS (dir)
import { chromium } from 'playwright-core';

const base = process.env.COLABO_URL;
const bearer = process.env.COLABO_TOKEN ?? '';
const args = JSON.parse(process.env.COLABO_ARGS ?? '{}');
const shots = process.env.COLABO_SCREENSHOTS;
const scenario = process.argv[2];
const TIMEOUT = 15_000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1360, height: 900 } });
context.setDefaultTimeout(TIMEOUT);
const page = await context.newPage();
const consoleErrors = [];
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
page.on('pageerror', (e) => consoleErrors.push(String(e)));

const text = async (selector) => (await page.locator(selector).first().textContent())?.trim() ?? null;
const optionalText = async (selector) => ((await page.locator(selector).count()) ? text(selector) : null);
const texts = (selector) => page.locator(selector).allTextContents().then((all) => all.map((t) => t.trim()));
const shoot = async (name) => { if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true }); };
const testid = (id) => `[data-testid="${id}"]`;

async function signIn(token = bearer) {
  await page.goto(`${base}/ui/`);
  await page.locator('input[name=token]').fill(token);
  await page.locator(`${testid('login-form')} button[type=submit]`).click();
  await page.locator(testid('session')).waitFor();
}

// Waits until the element's text differs from `before` (the page re-rendered after a filter).
async function changed(selector, before) {
  await page.waitForFunction(([s, b]) => document.querySelector(s)?.textContent.trim() !== b, [selector, before], { timeout: TIMEOUT });
  return text(selector);
}

async function nodesState() {
  return {
    total: Number((await text(testid('node-total'))).replace(/,/g, '')),
    names: await texts(`${testid('node-row')} ${testid('node-name')}`),
    statuses: await texts(`${testid('node-row')} .status:not(.s-new) >> nth=0`).catch(() => []),
    rowStatuses: await page.locator(testid('node-row')).evaluateAll((rows) => rows.map((r) => r.children[1].textContent.trim())),
    rowRoles: await page.locator(testid('node-row')).evaluateAll((rows) => rows.map((r) => r.children[3].textContent.trim())),
    pageOf: await text(testid('page-of')),
  };
}

const scenarios = {
  // The benchmark: a signed-in user opens the overview; milliseconds from navigation start until the
  // status counts and the change chart are on screen (the first load also fills the master's fleet index).
  async timing() {
    await context.addInitScript((t) => sessionStorage.setItem('colabo.token', t), bearer);
    const runs = [];
    for (let i = 0; i < (args.runs ?? 10); i++) {
      const p = await context.newPage();
      await p.goto(`${base}/ui/`);
      await p.locator(`${testid('count-total')}`).waitFor();
      await p.locator(`${testid('change-chart')}`).waitFor();
      runs.push(await p.evaluate(() => {
        const took = (part) => performance.getEntriesByType('resource').filter((e) => e.name.includes(part)).map((e) => Math.round(e.duration))[0] ?? null;
        return { rendered: performance.now(), script: took('/assets/index-'), session: took('/dashboard/session'), overview: took('/dashboard/overview'), status: took('/api/v1/status') };
      }));
      if (i === 0) await p.screenshot({ path: shots ? `${shots}/overview-10k.png` : '/dev/null', fullPage: true }).catch(() => {});
      await p.close();
    }
    return { runs, total: await page.evaluate(() => 0) };
  },

  async overview() {
    await signIn();
    await page.locator(testid('count-total')).waitFor();
    await page.locator(`${testid('repo-status')} :is(h3, p)`).first().waitFor();
    const counts = {};
    for (const s of ['total', 'failing', 'drifted', 'pending', 'unresponsive', 'revoked', 'new', 'converged']) {
      counts[s] = Number((await text(testid(`count-${s}`))).replace(/,/g, ''));
    }
    const chart = {};
    for (const c of ['corrective', 'intentional', 'failed']) chart[c] = Number(await text(testid(`chart-total-${c}`)));
    const result = {
      counts,
      chart,
      bars: await page.locator(`${testid('change-chart')} rect`).count(),
      topDrift: await page.locator(`${testid('top-drift')} tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent.trim()))),
      published: await optionalText(testid('published-main')),
      compileError: await optionalText(testid('compile-error-main')),
    };
    await shoot('overview');
    return result;
  },

  async nodes() {
    await signIn();
    await page.goto(`${base}/ui/#/nodes`);
    await page.locator(testid('node-row')).first().waitFor();
    const steps = { all: await nodesState() };
    let total = await text(testid('node-total'));
    await page.locator(testid('status-drifted')).check();
    total = await changed(testid('node-total'), total);
    steps.drifted = await nodesState();
    await page.locator(testid('role-filter')).selectOption('web');
    total = await changed(testid('node-total'), total);
    steps.driftedWeb = await nodesState();
    await page.locator(testid('status-drifted')).uncheck();
    total = await changed(testid('node-total'), total);
    await page.locator(testid('fact-key')).selectOption('os.release');
    await page.locator(testid('fact-value')).fill('11');
    await page.locator(testid('fact-add')).click();
    total = await changed(testid('node-total'), total);
    steps.webRelease11 = await nodesState();
    await shoot('nodes-filtered');
    await page.goto(`${base}/ui/#/nodes`);
    await page.waitForFunction((b) => document.querySelector('[data-testid="node-total"]')?.textContent.trim() !== b, total);
    const first = await text(`${testid('node-row')} ${testid('node-name')}`);
    await page.locator(testid('sort-name')).click();
    await changed(`${testid('node-row')} ${testid('node-name')}`, first);
    steps.byNameDesc = await nodesState();
    const top = await text(`${testid('node-row')} ${testid('node-name')}`);
    await page.locator(testid('page-next')).click();
    await changed(`${testid('node-row')} ${testid('node-name')}`, top);
    steps.page2 = await nodesState();
    await page.goto(`${base}/ui/#/nodes`);
    await page.locator(testid('search')).fill(args.search ?? 'app-0001');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="node-name"]')].every((a) => a.textContent.includes('app-0001')));
    steps.search = await nodesState();
    await page.goto(`${base}/ui/#/nodes`);
    await page.locator(testid('node-row')).first().waitFor();
    await shoot('nodes');
    return steps;
  },

  async node() {
    await signIn();
    await page.goto(`${base}/ui/#/nodes/${encodeURIComponent(args.node)}`);
    await page.locator(`${testid('facts')} tr`).first().waitFor();
    const facts = Object.fromEntries(await page.locator(`${testid('facts')} tr`).evaluateAll((rows) => rows.map((r) => [r.children[0].textContent, r.children[1].textContent])));
    await page.locator(`${testid('catalog')} details`).evaluateAll((all) => all.forEach((d) => { d.open = true; }));
    const secrets = await texts(`${testid('catalog')} td.secret`);
    const catalogIds = await texts(`${testid('catalog')} summary b`);
    const runs = await page.locator(testid('run')).count();
    await page.locator(testid('run')).first().click();
    await page.locator(`${testid('outcomes')} table.diff tbody tr`).first().waitFor();
    const diff = await page.locator(`${testid('outcomes')} table.diff tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent.trim())));
    const outcome = await text(`${testid('outcomes')} .outcome p`);
    const html = await page.content();
    await shoot('node');
    return {
      title: await text(testid('node-title')), roles: await text(testid('node-roles')), facts, catalogIds, secrets, runs, diff, outcome,
      runNowButton: await page.locator(testid('run-now')).count(), pageHasSecret: html.includes(args.secret ?? '\u0000'),
    };
  },

  async drift() {
    await signIn();
    await page.goto(`${base}/ui/#/drift?days=7`);
    await page.locator(`${testid('drift-resources')} tbody tr`).first().waitFor();
    const resources = await page.locator(`${testid('drift-resources')} tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent.trim())));
    await page.locator(testid('drift-resource')).first().click();
    await page.locator(`${testid('drift-nodes')} tbody tr`).first().waitFor();
    const nodes = await page.locator(`${testid('drift-nodes')} tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent.trim())));
    const roles = await page.locator(`${testid('drift-roles')} tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent.trim())));
    await shoot('drift');
    return { resources, nodes, roles };
  },

  async anonymous() {
    const api = await page.goto(`${base}/api/v1/dashboard/nodes`);
    const apiStatus = api.status();
    const apiBody = await page.locator('body').textContent();
    await page.goto(`${base}/ui/#/nodes`);
    await page.locator(testid('login-form')).waitFor();
    const fetched = await page.evaluate(async () => {
      const r = await fetch('/api/v1/dashboard/overview');
      return { status: r.status, body: await r.text() };
    });
    const body = await page.locator('body').textContent();
    await page.locator('input[name=token]').fill('cba_wrong');
    await page.locator(`${testid('login-form')} button[type=submit]`).click();
    await page.locator(testid('login-error')).waitFor();
    await shoot('login');
    return {
      apiStatus, apiBody, fetched, body, loginError: await text(testid('login-error')),
      tableShown: await page.locator(testid('nodes-table')).count(), stored: await page.evaluate(() => sessionStorage.length),
    };
  },

  async runNow() {
    await signIn();
    await page.goto(`${base}/ui/#/nodes/${encodeURIComponent(args.node)}`);
    await page.locator(testid('node-title')).waitFor();
    await page.locator(`${testid('facts')} tr`).first().waitFor();
    const session = await text(testid('session'));
    const button = await page.locator(testid('run-now')).count();
    let result = null;
    if (button) {
      await page.locator(testid('run-now')).click();
      result = await text(testid('run-now-result'));
    }
    // What the master answers this session's token when it asks anyway (the button is only a hint).
    const direct = await page.evaluate(async (node) => {
      const r = await fetch('/api/v1/RunNow', {
        method: 'POST',
        headers: { Authorization: `Bearer ${sessionStorage.getItem('colabo.token')}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ selector: node }),
      });
      return { status: r.status, body: await r.text() };
    }, args.node);
    return { session, button, result, direct };
  },

  async crossOrigin() {
    await signIn();
    // Another site, open in the same browser while the admin is signed in (served by Playwright, no network).
    const evil = 'https://evil.example';
    await context.route(`${evil}/**`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>evil</title><p>hi</p>' }));
    const other = await context.newPage();
    await other.goto(`${evil}/`);
    const seen = await other.evaluate(async (master) => {
      const out = { token: sessionStorage.getItem('colabo.token'), cookies: document.cookie };
      try {
        const r = await fetch(`${master}/api/v1/dashboard/nodes`, { credentials: 'include' });
        out.read = `status ${r.status}`;
      } catch (e) {
        out.read = `blocked: ${e.name}`;
      }
      return out;
    }, base);
    // A classic CSRF: a form posted from the other site. The browser sends no credential, so the master refuses.
    await other.setContent(`<form method="post" action="${base}/api/v1/RunNow" enctype="text/plain"><input name='{"selector":"*","x":"' value='"}'></form>`);
    const [response] = await Promise.all([other.waitForNavigation(), other.evaluate(() => document.forms[0].submit())]);
    seen.formStatus = response.status();
    seen.formBody = await other.locator('body').textContent();
    return seen;
  },
};

let output;
try {
  if (!scenarios[scenario]) throw new Error(`unknown scenario '${scenario}'; one of ${Object.keys(scenarios).join(', ')}`);
  output = { ok: true, result: await scenarios[scenario](), consoleErrors };
} catch (e) {
  output = { ok: false, error: String(e?.stack ?? e), consoleErrors, url: page.url() };
  if (shots) await page.screenshot({ path: `${shots}/failure-${scenario}.png`, fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify(output)}\n`);
