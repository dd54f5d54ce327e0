// Browser tests of the web console against the real services: junheng-archive,
// junheng-checklist and junheng-web on loopback (harness.mjs), driven with
// playwright-core in Debian's Chromium. The scenarios run in order and share
// the services' data: a county imports (one bad file first), a school uploads,
// an inspector records a judgement, the province looks at its counties, and a
// school is refused another school. Every page is screenshotted into
// $JUNHENG_SCREENSHOTS (default tests/web/screenshots/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startServices, apiClient, consoleDir, exampleDir } from './harness.mjs';
import { makePdf, makePng, breakCell } from './fixtures.mjs';

const require = createRequire(path.join(consoleDir, 'package.json'));
const { chromium } = require('playwright-core');

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = path.resolve(process.env.JUNHENG_SCREENSHOTS || path.join(here, 'screenshots'));
const YEAR = 2025;
const COUNTY = '330106';
const SCHOOL = '2133010601';

let svc;
let context;
let userDataDir;
let files;
let shotNo = 0;
const pageErrors = [];

before(async () => {
  fs.mkdirSync(shots, { recursive: true });
  for (const f of fs.readdirSync(shots)) if (f.endsWith('.png')) fs.rmSync(path.join(shots, f));
  svc = await startServices();
  files = fs.mkdtempSync(path.join(os.tmpdir(), 'junheng-web-files-'));
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'junheng-web-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.JUNHENG_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  });
  context.setDefaultTimeout(30_000);
});

after(async () => {
  if (context) await context.close().catch(() => {});
  if (svc) await svc.stop();
  for (const d of [files, userDataDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

// A fresh tab (its own sessionStorage, so its own login).
async function newPage() {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    // The browser logs every 4xx the tests provoke on purpose; those are not page errors.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(`${page.url()}: ${m.text()}`);
  });
  return page;
}

// The whole page, or with {full: false} the viewport (for dialogs).
async function shot(page, name, { full = true } = {}) {
  shotNo++;
  // Let charts finish their entry animation and toasts go away.
  await page.waitForTimeout(700);
  await page.locator('.el-message').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
  await page.screenshot({ path: path.join(shots, `${String(shotNo).padStart(2, '0')}-${name}.png`), fullPage: full });
}

async function login(page, token) {
  await page.goto(svc.base + '/');
  await page.locator(F('token')).fill(token);
  await page.locator('[data-test=login]').click();
  await page.locator('[data-test=who]').waitFor();
}

async function chooseYear(page, year) {
  await page.locator('[data-test=year-select]').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: `${year}—${year + 1}学年` }).click();
}

async function openTab(page, label) {
  await page.locator('.el-tabs__item', { hasText: label }).first().click();
}

// Picks options of an Element Plus select by their code prefix ("R4 …").
async function pickCodes(page, selectLocator, codes) {
  await selectLocator.click();
  for (const code of codes) {
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: new RegExp(`^${code} `) }).first().click();
  }
  await page.keyboard.press('Escape');
}

// The text field of an Element Plus input, whether its data-test attribute
// landed on the native input or on the wrapper.
function F(id) {
  return `:is(input, textarea)[data-test="${id}"], [data-test="${id}"] :is(input, textarea)`;
}

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

test('a bad token is refused with a clear message', async () => {
  const page = await newPage();
  await page.goto(svc.base + '/');
  await shot(page, 'login');
  await page.locator(F('token')).fill('jh_0000000000000000_notarealtoken');
  await page.locator('[data-test=login]').click();
  const err = page.locator('[data-test=error]');
  await err.waitFor();
  const text = await err.innerText();
  assert.match(text, /身份验证失败/);
  assert.match(text, /401/);
  await shot(page, 'login-bad-token');
  await page.close();
});

test('the county imports a CSV with one bad row (line and column shown, nothing stored), then the good files, and sees its dashboard', async () => {
  const page = await newPage();
  await login(page, svc.tokens.county);
  await page.waitForURL(/#\/county\/330106/);
  assert.match(await page.locator('[data-test=who]').innerText(), /钱塘示范县教育局[\s\S]*县教育局/);
  await chooseYear(page, YEAR);
  await page.locator('[data-test=no-data]').waitFor();
  await openTab(page, '数据导入');

  const good = fs.readFileSync(path.join(exampleDir, 'schools.csv'), 'utf8');
  const badPath = path.join(files, 'schools-bad.csv');
  fs.writeFileSync(badPath, breakCell(good, 5, 'p_students', '一千二'));
  await page.locator('[data-test=import-input-schools]').setInputFiles(badPath);
  await page.locator('[data-test=import-submit-schools]').click();
  const violations = page.locator('[data-test=import-schools] [data-test=violations]');
  await violations.waitFor();
  const row = violations.locator('.el-table__body tr').first();
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[0].trim(), '5', `line column: ${cells}`);
  assert.equal(cells[1].trim(), 'p_students');
  assert.match(cells[2], /一千二/);
  assert.match(await page.locator('[data-test=import-schools] [data-test=error]').innerText(), /未导入任何数据/);
  await shot(page, 'county-import-error');

  // Nothing was stored: the county still has no statistics for the year.
  const county = apiClient(svc.base, svc.tokens.county);
  const before = await county.get(`/v1/counties/${COUNTY}/years/${YEAR}:evaluate?view=EVALUATION_VIEW_SUMMARY`);
  assert.equal(before.status, 404, JSON.stringify(before.body));

  await page.locator('[data-test=import-input-schools]').setInputFiles(path.join(exampleDir, 'schools.csv'));
  await page.locator('[data-test=import-submit-schools]').click();
  await page.locator('[data-test=import-result-schools] .el-alert--success').waitFor();
  assert.match(await page.locator('[data-test=import-result-schools]').innerText(), /共 40 行/);
  await page.locator('[data-test=import-input-counties]').setInputFiles(path.join(exampleDir, 'counties.csv'));
  await page.locator('[data-test=import-submit-counties]').click();
  await page.locator('[data-test=import-result-counties] .el-alert--success').waitFor();
  await shot(page, 'county-import-done');

  // Schools' resource ledgers, as the demo uploads them (two schools have not yet).
  const perSchool = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'G3', 'G4', 'G5', 'G12', 'Q3', 'Q4'];
  const codes = good.split('\n').slice(1).filter(Boolean).map((l) => l.split(',')[1]);
  for (const school of codes) {
    if (school === '2133010607' || school === '2133010622') continue;
    const r = await county.upload(`counties/${COUNTY}/schools/${school}`, 'resource-ledger', Buffer.from(`school,${school}\n`), {
      title: '资源配置指标台账',
      codes: perSchool,
      year: YEAR,
      filename: `ledger-${school}.csv`,
      contentType: 'text/csv',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  await openTab(page, '总览');
  await page.locator('[data-test=reload]').click();
  await page.locator('[data-test=verdict]').waitFor();
  assert.equal((await page.locator('[data-test=verdict-text]').innerText()).trim(), '未通过');
  const failing = await page.locator('[data-test=failing-items]').innerText();
  assert.match(failing, /石桥镇中心小学/);
  assert.match(failing, /R2 尚差 2 名教师/);
  assert.match(failing, /临江镇初级中学/);
  assert.match(failing, /337 平方米/);
  await shot(page, 'county-dashboard');

  await openTab(page, '学校 × 指标');
  const matrix = page.locator('[data-test=school-matrix]');
  await matrix.waitFor();
  assert.ok((await matrix.locator('td.c-fail').count()) > 0, 'failing cells are coloured');
  assert.ok((await matrix.locator('td.c-pass').count()) > 100, 'passing cells are coloured');
  await shot(page, 'county-matrix');

  await openTab(page, '差异系数');
  await page.locator('[data-test=coef-summary] canvas').waitFor();
  assert.ok((await page.locator('[data-test^="coef-R"] canvas').count()) >= 7, 'a chart per coefficient');
  assert.match(await page.locator('[data-test=coef-table]').innerText(), /0\.509/);
  await shot(page, 'county-coefficients');

  await openTab(page, '佐证材料');
  const ematrix = page.locator('[data-test=evidence-matrix]');
  await ematrix.waitFor();
  assert.match(await ematrix.innerText(), /城北/);
  assert.ok((await ematrix.locator('td.c-fail').count()) >= 13, 'two schools miss their evidence');
  await shot(page, 'county-evidence');

  await openTab(page, '审计日志');
  const audit = page.locator('[data-test=audit-table]');
  await audit.locator('.el-table__body tr').first().waitFor();
  assert.match(await audit.innerText(), /导入学校数据/);
  await shot(page, 'county-audit');

  // A rectification plan adopted as items (through the API), then one item's
  // status changed in the list.
  const plan = await county.post(`/v1/counties/${COUNTY}/years/${YEAR}:planRectification`, {});
  assert.equal(plan.status, 200, JSON.stringify(plan.body));
  assert.ok(plan.body.actions.length > 0);
  const adopted = await county.post(`/v1/counties/${COUNTY}/years/${YEAR}/rectificationItems:adopt`, {
    plan: plan.body,
    owner: '县教育局装备科',
    deadline: '2027-06-30T15:59:59Z',
    requestId: 'console-test-plan',
  });
  assert.equal(adopted.status, 200, JSON.stringify(adopted.body));
  await openTab(page, '整改事项');
  const rect = page.locator('[data-test=rect-table]');
  await rect.locator('.el-table__body tr').first().waitFor();
  assert.equal(await rect.locator('.el-table__body tr').count(), adopted.body.items.length);
  assert.match(await rect.innerText(), /县教育局装备科/);
  const first = rect.locator('.el-table__body tr').first();
  await first.locator('.el-select').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '整改中' }).click();
  await page.locator('.el-message--success').waitFor();
  const item = await county.get(`/v1/${adopted.body.items[0].name}`);
  assert.equal(item.body.status, 'IN_PROGRESS');
  await shot(page, 'county-rectification');
  await page.close();
});

test('a school uploads many files by drag-and-drop and a 50 MB file with progress, and sees them with their versions', async () => {
  const page = await newPage();
  await login(page, svc.tokens.school);
  await page.waitForURL(/#\/school\/330106\/2133010601/);
  await chooseYear(page, YEAR);
  await page.locator('[data-test=level-LEVEL_PRIMARY]').waitFor();
  assert.match(await page.locator('[data-test=page-title]').innerText(), /钱塘示范县实验小学/);
  const level = await page.locator('[data-test=level-LEVEL_PRIMARY]').innerText();
  assert.match(level, /生均体育运动场馆面积/);
  assert.match(level, /尚差 1,296 平方米/);
  await shot(page, 'school-evaluation');

  await openTab(page, '佐证材料');
  await page.locator('[data-test=completeness]').waitFor();
  await page.locator('[data-test=evidence-table]').waitFor();

  // Two files dropped at once.
  const pdf = makePdf(['School charter 2025', 'Approved by the county bureau', 'Qiantang Experimental Primary School']);
  const png = makePng();
  await page.evaluate(async (list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    const zone = document.querySelector('[data-test=dropzone]');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [
    { name: '学校章程.pdf', type: 'application/pdf', b64: pdf.toString('base64') },
    { name: 'music-room.png', type: 'image/png', b64: png.toString('base64') },
  ]);
  const ids = page.locator(F('upload-id'));
  assert.equal(await ids.count(), 2);
  await ids.nth(0).fill('q3-charter');
  assert.equal(await ids.nth(1).inputValue(), 'music-room');
  await pickCodes(page, page.locator('[data-test=upload-codes]'), ['Q3', 'G3']);
  await shot(page, 'school-upload-queued');
  await page.locator('[data-test=upload-start]').click();
  await page.waitForFunction(() => {
    const s = [...document.querySelectorAll('[data-test=upload-state]')];
    return s.length === 2 && s.every((e) => e.dataset.state === 'done');
  });

  // One big file through the file picker, watching its progress bar.
  const big = path.join(files, 'floor-area-survey-2025.zip');
  const bigBytes = crypto.randomBytes(50 * 1024 * 1024);
  fs.writeFileSync(big, bigBytes);
  await page.locator('[data-test=upload-input]').setInputFiles(big);
  await pickCodes(page, page.locator('[data-test=upload-codes]'), ['Q3', 'G3', 'R4', 'R5']);
  const bigRow = page.locator('[data-test=upload-table] .el-table__body tr').filter({ hasText: 'floor-area-survey-2025.zip' });
  assert.equal(await bigRow.locator(F('upload-id')).inputValue(), 'floor-area-survey-2025');
  await bigRow.locator('input[placeholder="必填"]').fill('校舍面积测绘资料');
  await page.evaluate(() => {
    window.__progress = [];
    window.__states = new Set();
    const record = () => {
      for (const el of document.querySelectorAll('[role=progressbar]')) window.__progress.push(Number(el.getAttribute('aria-valuenow')));
      for (const el of document.querySelectorAll('[data-test=upload-state]')) window.__states.add(el.dataset.state);
    };
    new MutationObserver(record).observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
  });
  await page.locator('[data-test=upload-start]').click();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-test=upload-state]')].every((e) => e.dataset.state === 'done'), null, { timeout: 180_000 });
  const progress = await page.evaluate(() => window.__progress);
  const states = await page.evaluate(() => [...window.__states]);
  assert.ok(states.includes('uploading'), `states seen: ${states}`);
  assert.ok(progress.some((v) => v > 0 && v < 100), `the progress bar moved between 0 and 100: ${[...new Set(progress)].join(',')}`);
  assert.match(await bigRow.locator('[data-test=upload-state]').innerText(), /已完成：第 1 版.*与本地文件一致/);
  await shot(page, 'school-upload-done');

  // The list shows the file with its version; the archive holds exactly its bytes.
  const table = page.locator('[data-test=evidence-table]');
  const listed = table.locator('.el-table__body tr').filter({ hasText: 'floor-area-survey-2025' });
  await listed.first().waitFor();
  assert.match(await listed.first().innerText(), /v1[\s\S]*50\.0 MB/);
  const school = apiClient(svc.base, svc.tokens.school);
  const v = await school.get(`/v1/counties/${COUNTY}/schools/${SCHOOL}/evidence/floor-area-survey-2025/versions`);
  assert.equal(v.status, 200);
  assert.equal(v.body.versions.length, 1);
  assert.equal(v.body.versions[0].sizeBytes, String(bigBytes.length));
  assert.equal(v.body.versions[0].sha256, sha256(bigBytes));
  assert.equal(v.body.versions[0].filename, 'floor-area-survey-2025.zip');

  // Saving it streams from a one-use link to disk: the page never holds the
  // file, the link carries no token, and the bytes are the uploaded ones.
  const [saved] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    listed.first().locator('[data-test=evidence-save]').click(),
  ]);
  assert.match(saved.url(), /\/web\/downloads\/[0-9a-f]{48}$/);
  assert.ok(!saved.url().includes(svc.tokens.school));
  assert.equal(saved.suggestedFilename(), 'floor-area-survey-2025.zip');
  assert.equal(sha256(fs.readFileSync(await saved.path())), sha256(bigBytes));

  // The same PDF again is version 2 of the same evidence.
  await page.locator('[data-test=upload-input]').setInputFiles({ name: '学校章程.pdf', mimeType: 'application/pdf', buffer: makePdf(['School charter 2025 (revised)']) });
  const again = page.locator('[data-test=upload-table] .el-table__body tr').filter({ hasText: '学校章程.pdf' }).last();
  assert.equal(await again.locator(F('upload-id')).inputValue(), 'q3-charter');
  assert.match(await again.innerText(), /将作为第 2 版/);
  await page.locator('[data-test=upload-start]').click();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-test=upload-state]')].every((e) => e.dataset.state === 'done'));
  const charter = table.locator('.el-table__body tr').filter({ hasText: 'q3-charter' }).first();
  await page.waitForFunction(() => /v2/.test([...document.querySelectorAll('[data-test=evidence-table] .el-table__body tr')].find((r) => r.innerText.includes('q3-charter'))?.innerText || ''));
  // Its versions, oldest first.
  await charter.locator('.el-table__expand-icon').click();
  const versions = page.locator('[data-test="versions-counties/330106/schools/2133010601/evidence/q3-charter"]');
  await versions.locator('.el-table__body tr').nth(1).waitFor();
  assert.match(await versions.innerText(), /v1[\s\S]*v2/);

  const completeness = page.locator('[data-test=completeness]');
  assert.equal((await completeness.locator('[data-test=evidence-status-R4]').innerText()).trim(), '已提交');
  assert.equal((await completeness.locator('[data-test=evidence-status-Q3]').innerText()).trim(), '已提交');
  // R1 rests on the ledger the county uploaded for the school.
  assert.equal((await completeness.locator('[data-test=evidence-status-R1]').innerText()).trim(), '已提交');
  assert.match(await completeness.innerText(), /资源配置指标台账/);
  await shot(page, 'school-evidence');

  // Preview: the PDF in a frame, the photo as an image.
  await charter.locator('[data-test=evidence-preview]').click();
  await page.locator('[data-test=preview-pdf]').waitFor();
  assert.match(await page.locator('[data-test=preview-verified]').innerText(), /校验一致/);
  await page.waitForTimeout(1500);
  await shot(page, 'school-preview-pdf', { full: false });
  await page.locator('.el-dialog__headerbtn:visible').click();
  await page.locator('[data-test=preview-pdf]').waitFor({ state: 'detached' });
  await table.locator('.el-table__body tr').filter({ hasText: 'music-room' }).first().locator('[data-test=evidence-preview]').click();
  const img = page.locator('[data-test=preview-image]');
  await img.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-test=preview-image]')?.naturalWidth === 320);
  await shot(page, 'school-preview-image', { full: false });
  await page.locator('.el-dialog__headerbtn:visible').click();

  // The rectification items it receives or donates for.
  await openTab(page, '整改事项');
  const rect = page.locator('[data-test=rect-table]');
  await rect.locator('.el-table__body tr').first().waitFor();
  assert.match(await rect.innerText(), /钱塘示范县实验小学/);
  await shot(page, 'school-rectification');
  await page.close();
});

// A TCP proxy in front of junheng-web that cuts the connection once, when
// `cutAfter` bytes of an upload's request have gone through, and refuses
// connections for 1.5 s after, as a dropped rural line would; with
// `bytesPerSecond` it also passes an upload's bytes no faster than that, as
// a slow line does. Returns {base, cuts(), uploadBytes(), close()}.
async function cuttingProxy(cutAfter, { bytesPerSecond = 0 } = {}) {
  const target = new URL(svc.base);
  let armed = true;
  let cuts = 0;
  let uploadBytes = 0;
  const requests = [];
  const sockets = new Set();
  // After the cut the line stays down for a moment: otherwise Chromium
  // silently re-sends a POST whose reused connection was reset, from byte 0.
  let downUntil = 0;
  const server = net.createServer((client) => {
    if (Date.now() < downUntil) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    let uploading = false;
    let sent = 0;
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    upstream.pipe(client);
    client.on('data', (buf) => {
      if (Date.now() < downUntil) {
        end();
        return;
      }
      const head = buf.subarray(0, 300).toString('latin1');
      const m = /^(GET|POST|PUT|PATCH|DELETE) (\S+)/.exec(head);
      if (m) requests.push(`${m[1]} ${m[2].replace(/\?.*/, '?…')}`.replace(/^(\S+ )\/v1\/counties\/\d+\/schools\/\d+\//, '$1'));
      if (!uploading && buf.includes(':upload?')) uploading = true;
      if (uploading) uploadBytes += buf.length;
      if (uploading && armed) {
        sent += buf.length;
        if (sent > cutAfter) {
          armed = false;
          cuts++;
          downUntil = Date.now() + 1500;
          end();
          return;
        }
      }
      // Paused while the upstream drains or the line's rate says wait.
      let holds = 0;
      const hold = () => {
        if (holds++ === 0) client.pause();
      };
      const release = () => {
        if (--holds === 0) client.resume();
      };
      if (!upstream.write(buf)) {
        hold();
        upstream.once('drain', release);
      }
      if (uploading && bytesPerSecond > 0) {
        hold();
        setTimeout(release, (buf.length / bytesPerSecond) * 1000);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    cuts: () => cuts,
    // What crossed the line on connections that carried an upload.
    uploadBytes: () => uploadBytes,
    requests: () => requests,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

// The school's evidence tab, logged in through `proxy` (a cuttingProxy).
async function schoolEvidenceThrough(proxy) {
  const page = await newPage();
  await page.goto(proxy.base + '/');
  await page.locator(F('token')).fill(svc.tokens.school);
  await page.locator('[data-test=login]').click();
  await page.locator('[data-test=who]').waitFor();
  await page.waitForURL(/#\/school\/330106\/2133010601/);
  await chooseYear(page, YEAR);
  await openTab(page, '佐证材料');
  await page.locator('[data-test=evidence-table]').waitFor();
  return page;
}

test('a school upload resumes from the last stored chunk after the connection is cut', async () => {
  const proxy = await cuttingProxy(20 * 1024 * 1024);
  try {
    const page = await schoolEvidenceThrough(proxy);

    const file = path.join(files, 'sports-ground-survey.zip');
    const fileBytes = crypto.randomBytes(40 * 1024 * 1024);
    fs.writeFileSync(file, fileBytes);
    await page.locator('[data-test=upload-input]').setInputFiles(file);
    await pickCodes(page, page.locator('[data-test=upload-codes]'), ['R5']);
    const row = page.locator('[data-test=upload-table] .el-table__body tr').filter({ hasText: 'sports-ground-survey.zip' });
    await row.locator('input[placeholder="必填"]').fill('体育运动场馆测绘资料');
    await page.evaluate(() => {
      window.__states = new Set();
      window.__resumeShot = false;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-test=upload-state]')) window.__states.add(el.dataset.state);
      }).observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
    });
    await page.locator('[data-test=upload-start]').click();
    // The cut: the row says so while it waits to resume.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-test=upload-state]')].some((e) => e.dataset.state === 'resuming'), null, { timeout: 60_000 });
    await shot(page, 'school-upload-resuming', { full: false });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-test=upload-state]')].every((e) => ['done', 'failed'].includes(e.dataset.state)), null, { timeout: 180_000 });
    const text = await row.locator('[data-test=upload-state]').innerText();
    assert.match(text, /已完成：第 1 版.*与本地文件一致.*中断后从 [1-9][0-9.]* MB 处续传/, text);
    assert.equal(proxy.cuts(), 1);
    const states = await page.evaluate(() => [...window.__states]);
    assert.ok(states.includes('uploading') && states.includes('resuming'), `states seen: ${states}`);
    await shot(page, 'school-upload-resumed');

    // The archive holds exactly the file, as one version, and no session.
    const school = apiClient(svc.base, svc.tokens.school);
    const evidence = `counties/${COUNTY}/schools/${SCHOOL}/evidence/sports-ground-survey`;
    const v = await school.get(`/v1/${evidence}/versions`);
    assert.equal(v.status, 200);
    assert.equal(v.body.versions.length, 1);
    assert.equal(v.body.versions[0].sizeBytes, String(fileBytes.length));
    assert.equal(v.body.versions[0].sha256, sha256(fileBytes));
    const requestId = v.body.versions[0].requestId;
    assert.ok(requestId);
    assert.equal((await school.get(`/v1/${evidence}/uploads/${requestId}`)).status, 404);
    // The resume sent only what the archive did not hold: starting again
    // from zero would have sent 20 MB + 40 MB.
    assert.ok(proxy.uploadBytes() < fileBytes.length * 1.25, `${proxy.uploadBytes()} bytes sent for a ${fileBytes.length}-byte file: ${proxy.requests().join(', ')}`);
    await page.close();
  } finally {
    await proxy.close();
  }
});

test('a cancelled upload frees what the archive kept of it', async () => {
  const proxy = await cuttingProxy(Infinity, { bytesPerSecond: 4 * 1024 * 1024 });
  try {
    const page = await schoolEvidenceThrough(proxy);

    const file = path.join(files, 'cancelled-scan.pdf');
    fs.writeFileSync(file, crypto.randomBytes(24 * 1024 * 1024));
    await page.locator('[data-test=upload-input]').setInputFiles(file);
    await pickCodes(page, page.locator('[data-test=upload-codes]'), ['R5']);
    const row = page.locator('[data-test=upload-table] .el-table__body tr').filter({ hasText: 'cancelled-scan.pdf' });
    await row.locator('input[placeholder="必填"]').fill('取消的上传');
    await page.locator('[data-test=upload-start]').click();
    // Cancelled a third of the way: the archive has whole chunks of it by then.
    const deadline = Date.now() + 60_000;
    while (proxy.uploadBytes() < 8 * 1024 * 1024 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await row.getByRole('button', { name: '取消' }).click();
    const state = row.locator('[data-test=upload-state]');
    await page.waitForFunction(
      (el) => el.dataset.state === 'cancelled' && el.dataset.abandoned,
      await state.elementHandle(),
      { timeout: 30_000 },
    );
    const id = await state.getAttribute('data-abandoned');
    await shot(page, 'school-upload-cancelled', { full: false });

    // Nothing of it is left: no session holding its chunks, no evidence.
    const school = apiClient(svc.base, svc.tokens.school);
    const evidence = `counties/${COUNTY}/schools/${SCHOOL}/evidence/cancelled-scan`;
    const session = await school.get(`/v1/${evidence}/uploads/${id}`);
    assert.equal(session.status, 404, JSON.stringify(session.body));
    assert.equal((await school.get(`/v1/${evidence}`)).status, 404);
    await page.close();
  } finally {
    await proxy.close();
  }
});

test('an inspector records a judgement, and reads the report as of an earlier revision', async () => {
  // The other judgements of the example, and the county documents they rest on.
  const county = apiClient(svc.base, svc.tokens.county);
  const inspector = apiClient(svc.base, svc.tokens.inspector);
  const lines = fs.readFileSync(path.join(exampleDir, 'judgements.txt'), 'utf8').split('\n').filter((l) => l.trim());
  let g1Evidence = [];
  for (const line of lines) {
    const [code, verdict, comment, evidence = ''] = line.split('\t');
    const names = evidence.split(' ').filter(Boolean);
    for (const name of names) {
      const id = name.split('/').pop();
      const r = await county.upload(`counties/${COUNTY}`, id, Buffer.from(`${comment}\n`), { title: `${code} 佐证材料`, codes: [code], year: YEAR, filename: `${id}.txt`, contentType: 'text/plain' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    if (code === 'G1') {
      g1Evidence = names;
      continue;
    }
    const r = await inspector.post(`/v1/counties/${COUNTY}/years/${YEAR}/judgements/${code}:record`, { passed: verdict === 'pass', comment, evidence: names });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  const page = await newPage();
  await login(page, svc.tokens.inspector);
  // A provincial inspector starts at the province's counties.
  await page.waitForURL(/#\/province\/33/);
  await chooseYear(page, YEAR);
  await page.locator('[data-test=county-link]').first().click();
  await page.waitForURL(/#\/inspect\/330106/);
  await page.locator('[data-test=verdict]').waitFor();
  await shot(page, 'inspector-report');

  await openTab(page, '督导评定');
  const table = page.locator('[data-test=judgement-table]');
  await table.waitFor();
  assert.equal((await table.locator('[data-test=current-G1]').innerText()).trim(), '未评定');
  await table.locator('[data-test=judge-G1]').click();
  const dialog = page.locator('.el-dialog:visible');
  await dialog.locator('.el-radio', { hasText: '通过' }).first().click();
  await dialog.locator(F('judge-comment')).fill('学校布局专项规划经县政府批准并公布，布点与人口分布相适应。');
  await dialog.locator('[data-test=judge-evidence]').click();
  for (const name of g1Evidence) {
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: name }).first().click();
  }
  await page.keyboard.press('Escape');
  await shot(page, 'inspector-judgement-form', { full: false });
  await dialog.locator('[data-test=judge-submit]').click();
  await page.waitForFunction(() => document.querySelector('[data-test=current-G1]')?.innerText.trim() === '通过');
  await shot(page, 'inspector-judgements');

  // The judgement is stored with its evidence.
  const ev = await inspector.get(`/v1/counties/${COUNTY}/years/${YEAR}:evaluate?view=EVALUATION_VIEW_SUMMARY`);
  const g1 = ev.body.areas.flatMap((a) => a.indicators).find((i) => i.code === 'G1');
  assert.equal(g1.judgement, 'PASS');
  assert.deepEqual(g1.judgementEvidence, g1Evidence);
  const revision = Number(ev.body.revision);

  // As of the revision before it, G1 was not judged yet.
  await page.locator(F('as-of')).fill(String(revision - 1));
  await page.locator('[data-test=as-of-apply]').click();
  await page.locator('[data-test=as-of-tag]').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-test=current-G1]')?.innerText.trim() === '未评定');
  await shot(page, 'inspector-as-of');
  await page.locator('[data-test=as-of-latest]').click();
  await page.waitForFunction(() => document.querySelector('[data-test=current-G1]')?.innerText.trim() === '通过');

  // Any evidence in scope opens: the school's charter.
  await openTab(page, '佐证材料');
  const list = page.locator('[data-test=evidence-table]');
  await list.locator('.el-table__body tr').first().waitFor();
  const charter = list.locator('.el-table__body tr').filter({ hasText: 'q3-charter' }).first();
  await charter.locator('[data-test=evidence-preview]').click();
  await page.locator('[data-test=preview-pdf]').waitFor();
  await page.waitForTimeout(1000);
  await shot(page, 'inspector-evidence', { full: false });
  await page.locator('.el-dialog__headerbtn:visible').click();
  await page.close();
});

test('the province sees its counties and drills down to one', async () => {
  const page = await newPage();
  await login(page, svc.tokens.province);
  await page.waitForURL(/#\/province\/33/);
  await chooseYear(page, YEAR);
  const table = page.locator('[data-test=province-table]');
  await table.locator('[data-test=county-link]').first().waitFor();
  assert.match(await table.innerText(), /钱塘示范县[\s\S]*330106[\s\S]*未通过/);
  assert.equal((await page.locator('[data-test=count-total]').innerText()).replace(/\D/g, ''), '1');
  assert.equal((await page.locator('[data-test=count-fail]').innerText()).replace(/\D/g, ''), '1');
  await page.locator('[data-test=province-pie] canvas').waitFor();
  await shot(page, 'province');
  await table.locator('[data-test=county-link]').first().click();
  await page.waitForURL(/#\/province\/33\/counties\/330106/);
  await page.locator('[data-test=verdict]').waitFor();
  assert.equal((await page.locator('[data-test=verdict-text]').innerText()).trim(), '未通过');
  // The province reads; it does not judge or import.
  assert.equal(await page.locator('.el-tabs__item', { hasText: '督导评定' }).count(), 0);
  assert.equal(await page.locator('.el-tabs__item', { hasText: '数据导入' }).count(), 0);
  await shot(page, 'province-county');
  await page.close();
});

test('a school cannot see another school: the refusal is shown, not a broken page', async () => {
  const page = await newPage();
  await login(page, svc.tokens.school);
  await chooseYear(page, YEAR);
  await page.goto(`${svc.base}/#/school/${COUNTY}/2133010602`);
  const forbidden = page.locator('[data-test=forbidden]');
  await forbidden.waitFor();
  const text = await forbidden.innerText();
  assert.match(text, /无权查看该学校/);
  assert.match(text, /may not read statistics in counties\/330106\/schools\/2133010602/);
  await shot(page, 'school-forbidden');
  // And back to its own school.
  await forbidden.locator('button', { hasText: '返回本校' }).click();
  await page.waitForURL(/#\/school\/330106\/2133010601/);
  await page.locator('[data-test=level-LEVEL_PRIMARY]').waitFor();
  await page.close();
});

test('no page threw a script error', () => {
  assert.deepEqual(pageErrors, []);
});
