// End-to-end test of the Datasets screen: the real UI in headless Chromium,
// talking to the real Go side served by `wails dev` (see run.sh), on a fresh
// data folder.
//   HONE_E2E_URL       where wails dev serves (default http://localhost:34115)
//   HONE_TESTDATA      the shared test data (default ../shared/testdata from the repository root)
//   HONE_E2E_OUT       where to save screenshots (optional): datasets.png, datasets-skipped.png
//
// A file dropped on the window reaches the page as the Wails event
// "files:dropped" with the paths, emitted by the Go side (app.DropEvent).
// Headless Chromium cannot drop a real file through GTK, so the test emits
// the same event from the page with window.runtime.EventsEmit: the Wails
// runtime hands an event emitted in JavaScript to the page's own listeners
// (runtime/desktop/events.js, notifyListeners) exactly as one from Go.
import { suite } from './harness.mjs'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const out = process.env.HONE_E2E_OUT
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const testdata = process.env.HONE_TESTDATA ?? resolve(root, '../shared/testdata')
const banking77 = join(testdata, 'datasets/banking77/train.csv')

// A small JSONL file: three good conversations and three bad rows, at lines 3, 4 and 6.
const badDir = mkdtempSync(join(tmpdir(), 'hone-e2e-ds-'))
const badFile = join(badDir, 'support-chats.jsonl')
writeFileSync(badFile, [
  '{"messages":[{"role":"user","content":"Where is my parcel?"},{"role":"assistant","content":"It ships tomorrow."}]}',
  '{"messages":[{"role":"user","content":"Can I change the address?"},{"role":"assistant","content":"Yes, until it ships."}]}',
  'this line is not JSON',
  '{"messages":[{"role":"user","content":"Hello?"}]}',
  '{"messages":[{"role":"user","content":"Do you ship abroad?"},{"role":"assistant","content":"To 30 countries."}]}',
  '{"messages":"not a list"}',
].join('\n') + '\n')


await suite({ width: 1280, height: 860 }, async ({ page, check, tid, text, noJunk }) => {
  assert.ok(existsSync(banking77), `banking77 is at ${banking77} (set HONE_TESTDATA)`)
  // Sends what the Go side sends when files are dropped on the window.
  const drop = (paths) => page.evaluate((p) => window.runtime.EventsEmit('files:dropped', p), paths)
  const rowOf = (id) => page.locator(`[data-testid="ds-row"][data-id="${id}"]`)
  let bankingID = 0

  await check('the Datasets screen opens with the drop zone', async () => {
    await page.getByRole('button', { name: 'Datasets', exact: true }).click({ timeout: 30000 })
    assert.equal(await page.locator('h1').innerText(), 'Datasets')
    await tid('ds-dropzone').waitFor({ timeout: 15000 })
    assert.match(await text('ds-dropzone'), /Drop JSONL, JSON, CSV, TSV or Parquet files here/)
    assert.ok(await tid('ds-choose').isVisible(), 'Choose files… is there')
    assert.equal(await page.evaluate(() => typeof window.runtime?.EventsEmit), 'function')
  })

  await check('a file dropped on the window shows its preview: CSV, a table with the label column "category"', async () => {
    // From another screen: a drop anywhere opens the Datasets screen.
    await page.getByRole('button', { name: 'System', exact: true }).click()
    await drop([banking77])
    await tid('ds-preview').waitFor({ timeout: 15000 })
    assert.equal(await page.locator('h1').innerText(), 'Datasets')
    await tid('ds-preview-format').waitFor({ timeout: 15000 })
    assert.equal(await text('ds-preview-format'), 'CSV · Table')
    assert.match(await text('ds-preview-why'), /comma-separated values with a header row/)
    assert.equal(await tid('ds-preview-column-label').inputValue(), 'category')
    assert.equal(await tid('ds-preview-column-prompt').inputValue(), 'text')
    const bubbles = tid('ds-preview').locator('[data-testid="ds-example"]')
    assert.equal(await bubbles.count(), 5)
    assert.match(await bubbles.first().innerText(), /I am still waiting on my card\?/)
    assert.match(await bubbles.first().locator('.label-chip').innerText(), /^card_arrival$/)
    if (out) await page.screenshot({ path: join(out, 'datasets-preview.png') })
  })

  await check('an override reads the file again: plain text, then back to detection', async () => {
    await tid('ds-preview-format-select').selectOption('text')
    await page.waitForFunction(() => document.querySelector('[data-testid="ds-preview-format"]')?.textContent?.includes('Plain text'), null, { timeout: 10000 })
    assert.match(await tid('ds-preview').locator('[data-testid="ds-example"]').first().innerText(), /plain text/)
    await tid('ds-preview-format-select').selectOption('')
    await page.waitForFunction(() => document.querySelector('[data-testid="ds-preview-format"]')?.textContent?.trim() === 'CSV · Table', null, { timeout: 10000 })
  })

  await check('Import runs the job and shows the report: 10,003 examples, 77 labels, card_payment_fee_charged first with 187', async () => {
    const before = await tid('ds-row').count()
    await tid('ds-import').click()
    await tid('ds-preview').waitFor({ state: 'detached', timeout: 10000 })
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ds-row"]').length > n, before, { timeout: 60000 })
    await tid('ds-report').waitFor({ timeout: 60000 })
    assert.equal(await tid('ds-progress').count(), 0, 'the finished import leaves no progress bar')
    assert.match(await text('ds-notice'), /^Imported train\.csv as #\d+ train: 10,003 examples, 0 rows skipped\./)
    bankingID = Number(await page.locator('[data-testid="ds-row"].selected').getAttribute('data-id'))
    assert.ok(bankingID > 0)
    const cells = await rowOf(bankingID).locator('td').allInnerTexts()
    assert.equal(cells[1].trim(), '10,003')
    assert.equal(cells[2].trim(), '0')
    assert.match(cells[3].trim(), /^819\.4 KiB$/)
    assert.match(cells[5].trim(), /^\d{4}-\d\d-\d\d \d\d:\d\d$/)

    assert.equal(await text('ds-report-examples'), '10,003')
    assert.equal(await text('ds-report-labels'), '77')
    const first = tid('ds-labels').locator('[data-label]').first()
    assert.equal(await first.getAttribute('data-label'), 'card_payment_fee_charged')
    assert.equal(await first.getAttribute('data-count'), '187')
    assert.equal(await tid('ds-labels').locator('[data-label]').count(), 30)
    assert.match(await text('ds-labels-more'), /^and 47 more labels/)
    // The page draws what the Go side reported.
    const r = await page.evaluate((id) => window.go.app.Datasets.Report(id), bankingID)
    assert.equal(r.examples, 10003)
    assert.equal(await tid('ds-finding').count(), r.findings.length)
    assert.ok(r.findings.length >= 1, 'banking77 has duplicates to report')
    const bars = await tid('ds-histogram').locator('rect.bucket').evaluateAll((rs) => rs.map((x) => Number(x.dataset.count)))
    assert.deepEqual(bars, r.lengths.histogram.map((b) => b.count))
    await noJunk()
  })

  await check('a finding shows the examples behind it, duplicate groups together', async () => {
    const f = tid('ds-finding').first()
    await f.getByRole('button', { name: 'Show examples' }).click()
    await f.locator('[data-testid="ds-finding-group"]').first().waitFor({ timeout: 10000 })
    assert.ok((await f.locator('[data-testid="ds-finding-group"]').count()) >= 1)
    assert.ok((await f.locator('[data-testid="ds-finding-group"]').first().locator('[data-testid="ds-example"]').count()) >= 2)
  })

  if (out && bankingID) {
    // The whole screen: a window as tall as the page, then back.
    const height = await page.locator('main').evaluate((m) => m.scrollHeight)
    await page.setViewportSize({ width: 1280, height: Math.min(Math.max(860, height), 4000) })
    await page.screenshot({ path: join(out, 'datasets.png') })
    await page.setViewportSize({ width: 1280, height: 860 })
  }

  await check('the examples: a virtualised list, searched for "card", as chat bubbles', async () => {
    await tid('ds-tab-examples').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="ds-examples-count"]')?.textContent?.trim() === '10,003 examples', null, { timeout: 15000 })
    const rendered = await tid('ds-examples-viewport').locator('[data-testid="ds-example"]').count()
    assert.ok(rendered > 0 && rendered < 40, `only the rows in view are drawn: ${rendered}`)
    await tid('ds-search').fill('card')
    await page.waitForFunction(() => /of 10,003 examples match “card”/.test(document.querySelector('[data-testid="ds-examples-count"]')?.textContent ?? ''), null, { timeout: 15000 })
    const page1 = await page.evaluate((id) => window.go.app.Datasets.Examples(id, 'card', 0, 1), bankingID)
    assert.match(await text('ds-examples-count'), new RegExp(`^${page1.total.toLocaleString('en-US')} of`))
    const shown = tid('ds-examples-viewport').locator('[data-testid="ds-example"]')
    await shown.first().waitFor({ timeout: 10000 })
    for (const t of await shown.allInnerTexts()) assert.match(t, /card/i, 'each example found has "card"')
    assert.ok((await shown.first().locator('.turn.user .bubble').count()) === 1, 'a user bubble')
    if (out) {
      await shown.first().click()
      await page.locator('aside [data-testid="ds-example"]').waitFor({ timeout: 5000 })
      await tid('ds-examples').scrollIntoViewIfNeeded()
      await page.screenshot({ path: join(out, 'datasets-examples.png') })
    }
    // Scrolling far down reads a later page.
    await tid('ds-examples-viewport').evaluate((v) => (v.scrollTop = 104 * 2000))
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="ds-examples-viewport"] [data-index]')].map((r) => Number(r.dataset.index))
      return rows.length > 0 && Math.min(...rows) > 1900 && Math.max(...rows) < 2100 &&
        document.querySelectorAll('[data-testid="ds-examples-viewport"] [data-testid="ds-example"]').length > 0
    }, null, { timeout: 10000 })
    const seqs = await tid('ds-examples-viewport').locator('[data-testid="ds-example"]').allInnerTexts()
    for (const t of seqs) assert.match(t, /card/i, 'the later page holds matches too')
  })

  await check('banking77 skipped no rows', async () => {
    await tid('ds-tab-errors').click()
    await tid('ds-errors-none').waitFor({ timeout: 10000 })
    assert.match(await text('ds-errors-none'), /No rows were skipped/)
  })

  await check('a file with bad rows: imported without them, and the skipped rows listed with their lines', async () => {
    const before = await tid('ds-row').count()
    await drop([badFile])
    await tid('ds-preview-format').waitFor({ timeout: 15000 })
    assert.equal(await text('ds-preview-format'), 'JSON Lines · OpenAI chat')
    assert.equal(await tid('ds-preview').locator('[data-testid="ds-example"]').count(), 3)
    await tid('ds-preview-name').fill('support chats')
    await tid('ds-import').click()
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ds-row"]').length > n, before, { timeout: 60000 })
    await page.waitForFunction(() => document.querySelector('[data-testid="ds-row"].selected')?.textContent?.includes('support chats'), null, { timeout: 15000 })
    const cells = await page.locator('[data-testid="ds-row"].selected td').allInnerTexts()
    assert.equal(cells[1].trim(), '3')
    assert.equal(cells[2].trim(), '3')
    assert.equal(await text('ds-tab-errors'), 'Skipped rows 3')
    await tid('ds-tab-errors').click()
    await tid('ds-error-row').first().waitFor({ timeout: 10000 })
    const lines = await tid('ds-error-line').allInnerTexts()
    assert.deepEqual(lines.map((l) => l.trim()), ['3', '4', '6'])
    const rows = await tid('ds-error-row').allInnerTexts()
    assert.match(rows[0], /support-chats\.jsonl/)
    assert.match(rows[0], /invalid JSON/)
    assert.match(rows[2], /messages/)
    await noJunk()
    if (out) await page.screenshot({ path: join(out, 'datasets-skipped.png') })
  })

  await check('a one-click fix makes a new version and selects it; the original stays', async () => {
    await rowOf(bankingID).click()
    await tid('ds-tab-report').click()
    await tid('ds-fix').first().waitFor({ timeout: 30000 })
    const before = await tid('ds-row').count()
    await tid('ds-fix').first().click()
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ds-row"]').length === n + 1, before, { timeout: 60000 })
    const sel = page.locator('[data-testid="ds-row"].selected')
    assert.match(await sel.innerText(), new RegExp(`version of #${bankingID}`))
    assert.notEqual(Number(await sel.getAttribute('data-id')), bankingID)
    assert.equal((await rowOf(bankingID).locator('td').allInnerTexts())[1].trim(), '10,003', 'the original is unchanged')
    assert.match(await text('ds-notice'), new RegExp(`#${bankingID} stays as it was`))
  })

  await check('an import error shows in an alert', async () => {
    await drop([join(badDir, 'missing.csv')])
    await page.locator('[data-testid="ds-preview"] [role="alert"]').waitFor({ timeout: 15000 })
    assert.match(await page.locator('[data-testid="ds-preview"] [role="alert"]').innerText(), /missing\.csv/)
    assert.equal(await tid('ds-import').isDisabled(), true)
    await tid('ds-preview').getByRole('button', { name: 'Cancel' }).click()
    await noJunk()
  })
  rmSync(badDir, { recursive: true, force: true })
})
