// End-to-end test of the Plan screen: the real UI in headless Chromium,
// talking to the real Go side served by `wails dev` (see run.sh), started
// with two fake 24 GB RTX 4090s (HONE_FAKE_GPUS=2xrtx4090).
//   HONE_E2E_URL   where wails dev serves (default http://localhost:34115)
//   HONE_E2E_GPUS  how many GPUs the app was started with (default 2)
//   HONE_E2E_OUT   where to save screenshots (optional): plan.png, plan-error.png
import { suite } from './harness.mjs'
import assert from 'node:assert/strict'
import { join } from 'node:path'

const wantGPUs = Number(process.env.HONE_E2E_GPUS ?? '2')
const out = process.env.HONE_E2E_OUT


await suite({ width: 1200, height: 780 }, async ({ page, check, tid, text, noJunk }) => {
  const column = (m) => tid(`plan-option-${m}`)
  const peakOf = (m) => column(m).locator('[data-testid="plan-peak"]').innerText()

  await check('the Plan screen opens with the catalogue and the detected GPUs', async () => {
    await page.getByRole('button', { name: 'Plan', exact: true }).click({ timeout: 30000 })
    assert.equal(await page.locator('h1').innerText(), 'Plan')
    await page.locator('[data-testid="plan-model"]:enabled').waitFor({ timeout: 15000 })
    const models = await tid('plan-model').locator('option').allInnerTexts()
    assert.ok(models.some((m) => /^Llama 3\.1 8B Instruct · 8\.03B$/.test(m.trim())), `catalogue: ${models.join(' | ')}`)
    assert.equal(await tid('plan-gpu').inputValue(), '', 'the default is the best detected GPU')
    const gpus = await tid('plan-gpu').locator('option').allInnerTexts()
    for (let i = 0; i < wantGPUs; i++) {
      assert.ok(gpus.some((g) => g.trim() === `GPU ${i} · NVIDIA GeForce RTX 4090 · this machine`), `GPU ${i}: ${gpus.join(' | ')}`)
    }
    assert.ok(gpus.some((g) => g.includes('H100')), 'cards one can pick are listed too')
    assert.equal(await tid('plan-no-gpu').count(), 0)
  })

  await check('Llama 3.1 8B on the detected 24 GB GPU: QLoRA, with the memory breakdown', async () => {
    await tid('plan-model').selectOption('llama-3.1-8b')
    await tid('plan-method').waitFor({ timeout: 15000 })
    assert.equal(await text('plan-method'), 'QLoRA')
    assert.match(await text('plan-model-info'), /Llama 3\.1 8B Instruct · from the catalogue · 8\.03B parameters/)
    assert.match(await text('plan-target'), /NVIDIA GeForce RTX 4090 · GPU \d in this machine · [\d.]+ GiB free of 24\.0 GiB/)
    assert.ok((await tid('plan-reasons').locator('li').count()) >= 2, 'the reasons are listed')
    const breakdown = await text('plan-breakdown')
    for (const label of ['Base weights', 'Optimizer states', 'Activations']) assert.ok(breakdown.includes(label), label)
  })

  await check('the methods side by side: QLoRA fits, Full does not, each with a stacked bar', async () => {
    const fit = (m) => column(m).locator('[data-testid="plan-fit"]')
    assert.match(await fit('qlora').getAttribute('data-fit'), /^(yes|tight)$/)
    assert.match(await fit('qlora').innerText(), /^(Fits|Tight fit)$/)
    assert.equal(await fit('full').getAttribute('data-fit'), 'no')
    assert.equal(await fit('full').innerText(), 'Does not fit')
    for (const m of ['full', 'lora', 'qlora']) {
      assert.match(await peakOf(m), /^[\d.]+ [GT]iB$/)
      assert.ok((await column(m).locator('[data-testid="plan-seg"]').count()) >= 5, `${m} has a stacked bar`)
    }
    // The page draws what the Go side computed.
    const r = await page.evaluate(() => window.go.app.Plan.Plan({ model: 'llama-3.1-8b', gpu: '' }))
    assert.equal(r.recommendation.settings.method, 'qlora')
    const seg = column('qlora').locator('[data-key="weights"]')
    assert.equal(Number(await seg.getAttribute('data-bytes')), r.comparison[2].estimate.lines[0].bytes)
  })

  await check('the 12-month cost, with its chart', async () => {
    assert.match(await text('plan-tco'), /^\$\d[\d,]*$/)
    assert.equal(await tid('plan-chart').locator('rect.month').count(), 12)
    assert.match(await text('plan-prices'), /^Prices as of \d{4}-\d{2}, from .*prices\.json — edit that file to change them\.$/)
    assert.ok(await tid('plan-chart').isVisible())
    await noJunk()
  })

  if (out) {
    // The whole screen: a window as tall as the page, then back to 1200×780.
    const height = await page.locator('main').evaluate((m) => m.scrollHeight)
    await page.setViewportSize({ width: 1200, height: Math.max(780, height) })
    await page.screenshot({ path: join(out, 'plan.png') })
    await page.setViewportSize({ width: 1200, height: 780 })
  }

  await check('a what-if, sequence length 8192, changes the QLoRA peak', async () => {
    const before = await peakOf('qlora')
    await tid('plan-seq').fill('8192')
    await page.waitForFunction(
      (b) => document.querySelector('[data-testid="plan-option-qlora"] [data-testid="plan-peak"]')?.textContent?.trim() !== b,
      before, { timeout: 10000 })
    const after = await peakOf('qlora')
    assert.notEqual(after, before)
    assert.match(await page.locator('.compare').innerText(), /at 8,192 tokens/)
    assert.equal(await text('plan-method'), 'QLoRA', 'the recommendation stays')
  })

  await check('bad input shows the error, never NaN', async () => {
    await tid('plan-batch').fill('0')
    await tid('plan-error').waitFor({ timeout: 10000 })
    assert.match(await text('plan-error'), /Micro-batch 0: enter a whole number of 1 or more/)
    await noJunk()
    // A negative micro-batch goes to the Go side, which refuses it.
    await tid('plan-batch').fill('-2')
    await page.waitForFunction(
      () => document.querySelector('[data-testid="plan-error"]')?.textContent?.includes('micro-batch -2: want 1 to 4096'),
      null, { timeout: 10000 })
    assert.equal(await page.getByRole('alert').count(), 1)
    await noJunk()
    if (out) {
      await tid('plan-error').scrollIntoViewIfNeeded()
      await page.screenshot({ path: join(out, 'plan-error.png') })
    }
  })

  await check('Back to the recommendation clears the error and the what-ifs', async () => {
    await tid('plan-back').click()
    await tid('plan-error').waitFor({ state: 'detached', timeout: 10000 })
    assert.equal(await tid('plan-seq').inputValue(), '2048')
    assert.equal(await tid('plan-back').isDisabled(), true)
    await noJunk()
  })
})
