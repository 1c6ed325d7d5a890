// The web page of `uncut serve` in a real browser: Debian's chromium,
// headless, driven by playwright-core. Starts a server on a fresh archive
// and a free port, adds a source through the page, traces a spliced quote,
// and checks the report's summary and timeline segments; then adds a short
// video made here with ffmpeg and espeak-ng, uploads a spliced clip of it
// and checks the clip report's segments, cut and frames; then captures a
// page from a web server it starts, and a missing page. Every state of the
// page on the way (empty archive, adding, failed adds, search with
// snippets, the item view, a long list, a text trace, a trace that finds
// nothing, a clip trace, a captured link and one that fails) is
// photographed and compared with the expectations in expected/
// (screenshots.mjs says how, and how to refresh them).
// Screenshots go to $UNCUT_ARTIFACT_DIR (build/test-artifacts/browser/).
//
// Exit codes: 0 passed, 1 failed, 77 skipped (chromium cannot start here).
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {chromium} from 'playwright-core';
import {expectScreenshot} from './screenshots.mjs';

const SKIP = 77;
const uncut = process.env.UNCUT_TEST_BIN || 'uncut';
const chromiumPath = process.env.UNCUT_CHROMIUM || '/usr/bin/chromium';
const artifacts = join(process.env.UNCUT_ARTIFACT_DIR || 'test-artifacts', 'browser');

const SPEECH = `Fellow citizens, we meet today in a time of trial. The harvest failed in the north, \
and the rivers rose in the south. Yet the people of this country did not despair.

We will rebuild every bridge that the floods destroyed, and we will do it before the winter \
comes. No family will be left without shelter. That is our promise, and we intend to keep it \
whatever the cost.

Let me turn to the economy. Prices rose sharply last spring, and many households found that \
their wages no longer covered the rent and the bread. The government has cut the tax on fuel, \
raised the minimum pension, and opened new loans for small farms and workshops. These measures \
are not enough on their own, and the coming year will ask patience of everyone, but the worst \
of the storm has passed and the markets are calmer than they were at any time since the crisis \
began.

Finally, let me speak of the border. Our soldiers have guarded it with courage, and they \
deserve our thanks. We seek peace with every neighbour and war with none.
`;
const QUOTE = 'The harvest failed in the north, and the rivers rose in the south ... ' +
    'Our soldiers have guarded it with courage, and they deserve our thanks';

// Runs a command that makes test media; throws with its output on failure.
function make(command, args) {
  const r = spawnSync(command, args, {encoding: 'utf8'});
  if (r.status !== 0) throw new Error(`${command} failed: ${r.error || r.stderr}`);
}

// A 12-second video of two scenes over speech, and a clip that joins
// 0:01-0:05 and 0:07.5-0:11.5 of it, shrunk and re-encoded.
function makeVideo(work) {
  const speech = join(work, 'speech.wav');
  const source = join(work, 'bridge.mp4');
  const clip = join(work, 'clip.mp4');
  make('espeak-ng', ['-s', '160', '-w', speech,
    'The bridge over the river will close for repairs on Monday, and traffic will be sent ' +
    'through the old town until the end of the month.']);
  const quiet = ['-nostdin', '-loglevel', 'error', '-y'];
  make('ffmpeg', [...quiet,
    '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=25,hue=h=t*40,trim=duration=6',
    '-f', 'lavfi', '-i', 'cellauto=size=320x180:rate=25:rule=110:seed=3,trim=duration=6',
    '-i', speech, '-filter_complex',
    '[0][1]concat=n=2:v=1:a=0,format=yuv420p[v];[2]apad,atrim=duration=12[a]',
    '-map', '[v]', '-map', '[a]', '-c:v', 'libx264', '-preset', 'veryfast', '-c:a', 'aac', source]);
  make('ffmpeg', [...quiet, '-i', source, '-filter_complex',
    '[0:v]trim=1:5,setpts=PTS-STARTPTS[v1];[0:a]atrim=1:5,asetpts=PTS-STARTPTS[a1];' +
    '[0:v]trim=7.5:11.5,setpts=PTS-STARTPTS[v2];[0:a]atrim=7.5:11.5,asetpts=PTS-STARTPTS[a2];' +
    '[v1][a1][v2][a2]concat=n=2:v=1:a=1[v][a];[v]scale=256:144,format=yuv420p[vo]',
    '-map', '[vo]', '-map', '[a]', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28',
    '-c:a', 'aac', clip]);
  return {source, clip};
}

// Opens the item view of `name` from the archive list and checks that the
// fields the item lacks are left out rather than shown as "null".
async function itemViewShowsNoMissingFields(page, name) {
  await page.locator('#items .item button.link', {hasText: name}).click();
  const detail = page.locator('#item-detail');
  await detail.locator('h2', {hasText: name}).waitFor();
  const text = await detail.innerText();
  check(!/null|undefined|NaN/.test(text),
        `the item view of ${name} shows no "null" for missing fields ` +
        `(${text.replace(/\s+/g, ' ')})`);
}

// What changes from run to run on the page: times, job ids, SHA-256s of
// files made here with ffmpeg (their bytes differ between builds of it).
function volatile(page) {
  return [page.locator('#items .item .muted'), page.locator('#items .item img.thumb'),
          page.locator('#item-detail dd'), page.locator('#footer'),
          page.locator('#report-frame'), page.locator('#jobs .muted')];
}

async function shot(target, name, mask = []) {
  console.log(await expectScreenshot(target, name, artifacts, {mask}));
}

// A report page (what the frame shows) on its own, its times masked.
async function reportShot(context, html, name) {
  const p = await context.newPage();
  await p.setContent(html);
  await shot(p, name, [p.locator('.kicker'), p.locator('code'), p.locator('.frames img'),
                       p.locator('.meta')]);
  await p.close();
}

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

// Starts the server; resolves with {child, url} once it listens.
function startServer(archive) {
  return new Promise((resolve, reject) => {
    const child = spawn(uncut, ['--archive', archive, '--quiet', 'serve', '--listen', '127.0.0.1:0'],
                        {stdio: ['ignore', 'pipe', 'inherit']});
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)\s+\(open (\S+)\)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({child, url: m[1], openUrl: m[2]});
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}

// A web site on 127.0.0.1 for the capture box: one page, and 404 for the
// rest. Resolves with {server, url}.
function startSite() {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      if (req.url === '/statement.html') {
        res.writeHead(200, {'Content-Type': 'text/html; charset=utf-8'});
        res.end('<!DOCTYPE html><html><head><title>Statement on the floods</title></head><body>' +
                '<p>No family will be left without shelter before the winter comes.</p></body></html>');
      } else {
        res.writeHead(404, {'Content-Type': 'text/plain'});
        res.end('not found');
      }
    });
    server.listen(0, '127.0.0.1', () => resolve({server, url: `http://127.0.0.1:${server.address().port}`}));
  });
}

async function launchBrowser(profile) {
  if (!existsSync(chromiumPath)) {
    throw Object.assign(new Error(`${chromiumPath} is not installed`), {skip: true});
  }
  try {
    return await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      viewport: {width: 1100, height: 900},
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 60000,
    });
  } catch (err) {
    throw Object.assign(new Error(`chromium cannot start: ${err.message}`), {skip: true});
  }
}

async function run(work) {
  const server = await startServer(join(work, 'archive'));
  let context = null;
  try {
    context = await launchBrowser(join(work, 'profile'));
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(30000);
    const origin = new URL(server.url).origin;
    const outside = [];
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(origin) && !/^(data|blob|about):/.test(u)) outside.push(u);
    });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await page.goto(server.openUrl);
    await page.locator('#token-state', {hasText: 'token accepted'}).waitFor();
    check(!page.url().includes('token='), 'the page takes the token from the address and hides it');

    // The empty archive.
    await page.getByRole('tab', {name: 'Archive'}).click();
    await page.locator('#items-count', {hasText: '0 items'}).waitFor();
    await shot(page, 'empty-archive', volatile(page));

    // Add a source with its metadata; photographed while the job runs (its
    // first poll held back until the shot is taken).
    await page.getByRole('tab', {name: 'Add sources'}).click();
    const source = join(work, 'speech.txt');
    writeFileSync(source, SPEECH);
    await page.setInputFiles('#add-files', source);
    await page.fill('#add-url', 'https://example.org/speech');
    await page.fill('#add-title', 'Address to the nation');
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route('**/api/jobs/*', async (route) => {
      await held;
      await route.continue();
    });
    await page.click('#add-button');
    await page.locator('#add-progress').waitFor({state: 'visible'});
    await page.locator('#add-progress .label', {hasText: 'uploading'}).waitFor();
    await shot(page, 'adding', volatile(page));
    release();
    await page.locator('#add-result li.ok', {hasText: 'added: speech.txt'}).waitFor();
    await page.unroute('**/api/jobs/*');
    check(true, 'a source is added through the page');
    await shot(page, 'added', volatile(page));

    // Several files that all fail: each is named with its reason.
    const bad = [['random.mp4', 'Notes from the interview, not a video.\n'],
                 ['empty.txt', ''],
                 ['picture.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])]];
    for (const [name, bytes] of bad) writeFileSync(join(work, name), bytes);
    await page.setInputFiles('#add-files', bad.map(([name]) => join(work, name)));
    await page.click('#add-button');
    await page.locator('#add-error').waitFor({state: 'visible'});
    await page.locator('#add-result li.error').nth(2).waitFor();
    const failures = await page.locator('#add-result li.error').allInnerTexts();
    check(failures.length === 3 && bad.every(([name]) => failures.some((f) => f.includes(name))),
          `a failed add names every file that failed (${failures.join(' | ')})`);
    check(!failures.some((f) => /(\S+): \1:/.test(f)), 'each failure names its file once');
    await shot(page, 'add-errors', volatile(page));

    // It is in the archive, with its metadata, and search finds it.
    await page.getByRole('tab', {name: 'Archive'}).click();
    await page.fill('#search-q', 'nation');
    await page.click('#search-form button');
    await page.locator('#items .item', {hasText: 'speech.txt'}).waitFor();
    check(await page.locator('#items .item').count() === 1, 'search finds the source by its title');
    check(await page.locator('#items .item .url').innerText() === 'https://example.org/speech',
          'the archive shows the source URL');
    await itemViewShowsNoMissingFields(page, 'speech.txt');
    await shot(page, 'item-view', volatile(page));

    // Search by the words of the text: a snippet with the words marked.
    await page.fill('#search-q', 'Soldiers border');
    await page.click('#search-form button');
    await page.locator('#items .item .snippet mark').first().waitFor();
    const marks = await page.locator('#items .item .snippet mark').allInnerTexts();
    check(marks.includes('soldiers') && marks.includes('border'),
          `search finds the source by its text and marks the words (${marks.join(', ')})`);
    await shot(page, 'search-text', volatile(page));

    // Trace a spliced quote and read the report.
    await page.getByRole('tab', {name: 'Trace an excerpt'}).click();
    await page.fill('#trace-text', QUOTE);
    await page.click('#trace-button');
    await page.locator('#trace-result').waitFor({state: 'visible'});
    const summary = await page.locator('#trace-summary').innerText();
    check(summary.includes('joins two passages of speech.txt'),
          `the page gives the plain-language summary (${summary.split('\n')[1]})`);
    const report = page.frameLocator('#report-frame');
    await report.locator('#summary').waitFor();
    const reportSummary = await report.locator('#summary').innerText();
    check(/joins two passages of speech\.txt .*words between them were left out/.test(reportSummary),
          'the report says which passages the quote joins and what was left out');
    const segments = await report.locator('#source-1 svg .tl-seg').count();
    check(segments >= 2, `the source timeline shows the matched segments (${segments})`);
    check(await report.locator('#source-1 svg .tl-cut').count() >= 1, 'the timeline shows the cut');
    check((await report.locator('.passage .cut').innerText()).includes('rebuild every bridge'),
          'the report shows the text that was cut');

    mkdirSync(artifacts, {recursive: true});
    await shot(page, 'trace-text', volatile(page));
    const html = await page.evaluate(() => document.getElementById('report-frame').srcdoc);
    await reportShot(context, html, 'trace-text-report');

    // An extract found nowhere.
    await page.fill('#trace-text', 'Nothing of this sentence was ever said by anyone in the archive at all.');
    await page.click('#trace-button');
    await page.locator('#trace-summary', {hasText: 'No archived source'}).waitFor();
    check(true, 'the page says when no source holds the extract');
    await shot(page, 'trace-not-found', volatile(page));

    // A long list: sixty more sources, added from the command line beside
    // the server; the page shows fifty and offers the rest.
    const many = join(work, 'many');
    mkdirSync(many);
    for (let i = 1; i <= 60; ++i) {
      writeFileSync(join(many, `note-${String(i).padStart(2, '0')}.txt`),
                    `Field note number ${i}: the ferry ran ${i} minutes late today.\n`);
    }
    make(uncut, ['--archive', join(work, 'archive'), '--quiet', 'add', many]);
    await page.getByRole('tab', {name: 'Archive'}).click();
    await page.fill('#search-q', '');
    await page.click('#search-form button');
    await page.locator('#items-count', {hasText: '61 items'}).waitFor();
    check(await page.locator('#items .item').count() === 50 && await page.locator('#items-more').isVisible(),
          'a long list shows fifty items and a button for more');
    await shot(page, 'long-list', volatile(page));
    await page.click('#items-more');
    await page.locator('#items .item').nth(60).waitFor();
    check(!(await page.locator('#items-more').isVisible()), 'the rest come with the button');

    // A video: add it, see its thumbnail, trace a spliced clip of it.
    const video = makeVideo(work);
    await page.getByRole('tab', {name: 'Add sources'}).click();
    await page.setInputFiles('#add-files', video.source);
    await page.click('#add-button');
    await page.locator('#add-result li.ok', {hasText: 'added: bridge.mp4'}).waitFor();
    check(true, 'a video is added through the page');
    await page.getByRole('tab', {name: 'Archive'}).click();
    await page.fill('#search-q', 'bridge');
    await page.click('#search-form button');
    await page.locator('#items .item img.thumb').waitFor();
    check(true, 'the archive shows the video with its thumbnail');
    await itemViewShowsNoMissingFields(page, 'bridge.mp4');

    await page.getByRole('tab', {name: 'Trace an excerpt'}).click();
    await page.setInputFiles('#trace-clip', video.clip);
    await page.click('#trace-button');
    const clipSummary = page.locator('#trace-summary', {hasText: 'The clip joins'});
    await clipSummary.waitFor({timeout: 60000});
    const clipText = await clipSummary.innerText();
    check(/The clip joins .* of bridge\.mp4/.test(clipText),
          `the page summarises the clip (${clipText.split('\n').find((l) => l.includes('joins'))})`);
    const clipReport = page.frameLocator('#report-frame');
    await clipReport.locator('#summary', {hasText: 'The clip joins'}).waitFor();
    const clipSegments = await clipReport.locator('#source-1 svg .tl-seg').count();
    check(clipSegments >= 2, `the clip report's timeline shows both segments (${clipSegments})`);
    check(await clipReport.locator('#source-1 svg .tl-cut').count() >= 1,
          'the clip report shows the cut');
    const frames = await clipReport.locator('.frames img').count();
    check(frames >= 8, `the clip report shows clip and source frames at each boundary (${frames})`);
    await shot(page, 'trace-clip', volatile(page));
    const clipHtml = await page.evaluate(() => document.getElementById('report-frame').srcdoc);
    await reportShot(context, clipHtml, 'trace-clip-report');

    // Capture a link: a page served here, then a page that is not there.
    const site = await startSite();
    try {
      await page.getByRole('tab', {name: 'Add sources'}).click();
      await page.fill('#capture-url', `${site.url}/statement.html`);
      await page.click('#capture-button');
      await page.locator('#capture-progress').waitFor({state: 'visible'});
      await page.locator('#capture-result li.ok', {hasText: 'captured: page'}).waitFor({timeout: 120000});
      check(true, 'a link is captured through the page');
      await shot(page, 'captured', volatile(page));
      await page.fill('#capture-url', `${site.url}/gone.html`);
      await page.click('#capture-button');
      const error = page.locator('#capture-error');
      await error.waitFor({state: 'visible', timeout: 120000});
      const message = await error.innerText();
      check(message === `${site.url}/gone.html: not captured: the server answered HTTP 404 Not Found`,
            `a link that cannot be captured is one line (${message})`);
      await shot(page, 'capture-error', [...volatile(page), error, page.locator('#capture-url')]);
      await page.getByRole('tab', {name: 'Archive'}).click();
      await page.fill('#search-q', 'shelter');
      await page.click('#search-form button');
      await page.locator('#items .item .url', {hasText: `${site.url}/statement.html`}).first().waitFor();
      check(true, 'the captured page is in the archive with its URL');
    } finally {
      site.server.close();
    }

    check(outside.length === 0, `nothing is fetched from outside the server ${outside.join(' ')}`);
    check(pageErrors.length === 0, `the page raises no script errors ${pageErrors.join(' ')}`);
  } finally {
    if (context) await context.close();
    server.child.kill('SIGTERM');
  }
}

const work = mkdtempSync(join(tmpdir(), 'uncut-browser-'));
try {
  await run(work);
  console.log('1 passed, 0 failed');
  process.exitCode = 0;
} catch (err) {
  if (err.skip) {
    console.log(`SKIPPED: ${err.message}`);
    process.exitCode = SKIP;
  } else {
    console.error(err.stack || err);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
  }
} finally {
  rmSync(work, {recursive: true, force: true});
}
