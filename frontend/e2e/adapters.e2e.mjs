// End-to-end test of the Adapters screen's base models: the real UI in
// headless Chromium, talking to the real Go side served by `wails dev` (see
// run.sh), on a fresh data folder. The table lists whatever models this
// machine's caches hold, or says where Hone looked.
//   HONE_E2E_URL   where wails dev serves (default http://localhost:34115)
//   HONE_E2E_OUT   where to save a screenshot (optional): adapters.png
import { suite } from './harness.mjs'
import assert from 'node:assert/strict'
import { join } from 'node:path'

const out = process.env.HONE_E2E_OUT

await suite({ width: 1280, height: 860 }, async ({ page, check, tid, text, noJunk }) => {

  await check('the Adapters screen opens with the base models, scanned from this machine', async () => {
    await page.getByRole('button', { name: 'Adapters', exact: true }).click({ timeout: 30000 })
    assert.equal(await page.locator('h1').innerText(), 'Adapters')
    assert.equal(await tid('not-built').count(), 0)
    assert.equal(await page.getByRole('heading', { name: 'Base models' }).count(), 1)
    await page.locator('[data-testid="models-table"], [data-testid="models-empty"]').first().waitFor({ timeout: 30000 })
    if (await tid('models-empty').count()) {
      assert.match(await text('models-empty'), /Hugging Face cache.*LM Studio.*Ollama.*Hone's own downloads.*folders you add/)
    } else {
      const rows = await tid('model-row').count()
      assert.ok(rows > 0, 'the table has rows')
      console.log(`     ${rows} models found on this machine`)
    }
    assert.equal(await tid('models-error').count(), 0, 'the scan did not fail')
    assert.match(await text('models-folders'), /Added folders: none yet/)
    await tid('adapters-none').waitFor({ timeout: 10000 })
    assert.match(await text('adapters-none'), /No adapter yet: a run on the Train screen leaves its adapter here/)
    await noJunk()
  })

  await check('the bound Go method answers the page directly', async () => {
    const found = await page.evaluate(() => window.go.app.Models.List())
    assert.ok(Array.isArray(found))
    assert.equal(await tid('model-row').count(), found.length)
  })

  await check('the download form: repository, revision main, a password field for the token', async () => {
    assert.ok(await tid('models-download').isVisible())
    assert.equal(await tid('models-revision').inputValue(), 'main')
    assert.equal(await tid('models-token').getAttribute('type'), 'password')
    assert.ok(await tid('models-add-folder').isEnabled())
  })

  await check('downloading a repository that cannot be fetched shows why', async () => {
    await tid('models-repo').fill('no-such-org/no-such-model')
    await tid('models-download-go').click()
    await tid('models-progress').first().waitFor({ timeout: 10000 })
    await page.locator('[data-testid="models-progress"] [data-testid="models-error"]').waitFor({ timeout: 60000 })
    const msg = await page.locator('[data-testid="models-progress"] [data-testid="models-error"]').innerText()
    assert.ok(msg.trim().length > 0, 'the error says something')
    assert.equal(await page.locator('[data-testid="models-progress"] [data-testid="models-error"]').getAttribute('role'), 'alert')
    assert.notEqual(await tid('models-progress').first().getAttribute('data-state'), 'running')
    console.log(`     ${msg.replace(/\s+/g, ' ').slice(0, 160)}`)
    await noJunk()
  })

  if (out) await page.screenshot({ path: join(out, 'adapters.png'), fullPage: true })
})
