// Screenshots compared with the expectations committed in expected/.
//
// A state of the page is photographed (times, ids of jobs and other text
// that changes from run to run masked) and compared with expected/NAME.png
// by playwright's image comparator: a pixel counts as different only past a
// colour distance of `threshold` (antialiasing and font hinting stay under
// it), and the shot matches while at most `maxDiffPixelRatio` of its pixels
// differ. A shot of another size fails. On a mismatch the shot and a diff
// image go to the artifact folder beside the other screenshots.
//
// To refresh the expectations after a deliberate change of the page:
//   UNCUT_UPDATE_SCREENSHOTS=1 ctest -R browser --output-on-failure
// (or run web_page_test.mjs with that variable) and commit expected/*.png.
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);
const {utils} = require('playwright-core/lib/coreBundle');

const here = dirname(fileURLToPath(import.meta.url));
export const expectedDir = join(here, 'expected');
const update = process.env.UNCUT_UPDATE_SCREENSHOTS === '1';
const compare = utils.getComparator('image/png');

export const tolerance = {threshold: 0.25, maxDiffPixelRatio: 0.02};

// Photographs `target` (a page or a locator) as state `name` and compares.
// Returns a line saying what happened; throws on a mismatch.
export async function expectScreenshot(target, name, artifacts, {mask = [], fullPage = true} = {}) {
  const options = {animations: 'disabled', caret: 'hide', mask, maskColor: '#888888'};
  if (fullPage && typeof target.goto === 'function') options.fullPage = true;
  const actual = await target.screenshot(options);
  mkdirSync(artifacts, {recursive: true});
  writeFileSync(join(artifacts, `${name}.png`), actual);
  const file = join(expectedDir, `${name}.png`);
  if (update) {
    mkdirSync(expectedDir, {recursive: true});
    writeFileSync(file, actual);
    return `screenshot ${name}: expectation written`;
  }
  if (!existsSync(file)) {
    throw new Error(`no expected screenshot ${file}; make it with UNCUT_UPDATE_SCREENSHOTS=1`);
  }
  const result = compare(actual, readFileSync(file), tolerance);
  if (result) {
    if (result.diff) writeFileSync(join(artifacts, `${name}-diff.png`), result.diff);
    throw new Error(`screenshot ${name} differs from ${file}: ${result.errorMessage} ` +
                    `(shot and diff in ${artifacts}; UNCUT_UPDATE_SCREENSHOTS=1 refreshes it)`);
  }
  return `screenshot ${name} matches its expectation`;
}
