// End-to-end test of the Train screen: the real UI in headless Chromium,
// talking to the real Go side served by `wails dev` (see run.sh), on a data
// folder where the command line imported 40 rows of banking77, split them
// into train and eval parts, and added the folder of stories260K. It starts
// a small run from the form, watches the loss curve move, pauses, resumes,
// sees the run succeed, and finds its adapter on disk and in the list.
//   HONE_E2E_URL       where wails dev serves (default http://localhost:34115)
//   HONE_E2E_STEPS     the run's optimizer steps (default 600: long enough to pause)
//   HONE_E2E_OUT       where to save screenshots (optional): train-*.png
import { suite } from './harness.mjs'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const out = process.env.HONE_E2E_OUT
const steps = Number(process.env.HONE_E2E_STEPS ?? 600)
const shot = async (page, name) => out && page.screenshot({ path: join(out, `train-${name}.png`), fullPage: true })

await suite({ width: 1280, height: 900 }, async ({ page, check, tid, text, noJunk }) => {
  const view = () => tid('run-view')
  const state = () => view().getAttribute('data-state')
  const waitState = (want, timeout) =>
    page.waitForFunction((w) => document.querySelector('[data-testid="run-view"]')?.dataset.state === w, want, { timeout })
  let runId = 0

  await check('the Train screen opens with the defaults and lists stories260K and the datasets', async () => {
    await page.getByRole('button', { name: 'Train', exact: true }).click({ timeout: 30000 })
    assert.equal(await page.locator('h1').innerText(), 'Train')
    assert.equal(await tid('not-built').count(), 0)
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="train-dataset"] option').length > 1, null, { timeout: 30000 })
    assert.equal(await tid('train-lr').inputValue(), '0.0002', 'the learning rate is train.Spec.Defaults\' 2e-4')
    assert.equal(await tid('train-method').inputValue(), 'lora')
    const models = await tid('train-model').locator('option').allInnerTexts()
    assert.ok(models.some((m) => m.startsWith('stories260K')), `stories260K is offered: ${models.join(' | ')}`)
    assert.equal(await tid('runs-empty').count(), 1)
  })

  await check('picking the model and the train part of the split fills the eval part; the pre-flight answers', async () => {
    const value = await tid('train-model').locator('option', { hasText: 'stories260K' }).first().getAttribute('value')
    await tid('train-model').selectOption(value)
    assert.match(await tid('train-model-path').inputValue(), /stories260K\.bin$/)
    await tid('train-dataset').selectOption({ label: await tid('train-dataset').locator('option', { hasText: '(train)' }).first().innerText() })
    const evalLabel = await tid('train-eval-dataset').locator('option:checked').innerText()
    assert.match(evalLabel, /banking40 \(eval\)/)
    for (const [field, v] of [['seqLen', '64'], ['microBatch', '2'], ['gradAccum', '1'], ['maxSteps', String(steps)],
      ['checkpointEvery', '5'], ['evalEvery', '50'], ['name', 'e2e-stories']]) {
      await tid(`train-${field}`).fill(v)
    }
    await tid('train-ready').waitFor({ timeout: 20000 })
    assert.match(await text('train-ready'), /Start trains on CPU/)
    await tid('train-estimate').waitFor({ timeout: 20000 })
    assert.match(await text('train-peak'), /[0-9.]+ [KMG]iB/)
    assert.equal(await text('train-fits'), 'fits')
    // The dataset in the model's tokens (Datasets.CountTokens); the backend
    // reads only tokenizer.json and GGUF vocabularies there so far, so for
    // a llama2.c model the pre-flight says why it has no lengths.
    await page.locator('[data-testid="train-tokens"], [data-testid="train-tokens-error"]').first().waitFor({ timeout: 30000 })
    if (await tid('train-tokens').count()) {
      assert.match(await text('train-tokens'), /^30 examples in the model's tokens/)
    } else {
      assert.match(await text('train-tokens-error'), /^No token lengths: .*tokenizer/)
      console.log(`     ${await text('train-tokens-error')}`)
    }
    assert.ok(await tid('train-start').isEnabled())
    await noJunk()
    await shot(page, 'form')
  })

  await check('Start: the run trains and the loss curve moves', async () => {
    await tid('train-start').click()
    await view().waitFor({ timeout: 20000 })
    runId = Number(await view().getAttribute('data-id'))
    assert.ok(runId > 0)
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="loss-chart"]')
      return c && Number(c.dataset.points) >= 2 && c.dataset.first !== c.dataset.last
    }, null, { timeout: 60000 })
    const c = tid('loss-chart')
    console.log(`     ${await c.getAttribute('data-points')} loss points, ${await c.getAttribute('data-first')} → ${await c.getAttribute('data-last')}`)
    assert.equal(await page.locator('[data-testid="loss-chart"] canvas').count(), 1, 'uPlot drew on a canvas')
    assert.equal(await tid('lr-chart').count(), 1)
    assert.equal(await state(), 'running')
    assert.match(await text('run-tps'), /^[0-9,]+$/)
    assert.match(await text('run-step'), new RegExp(`^step [0-9,]+ of ${steps}$`))
  })

  await check('the machine is read while the run trains: RAM and CPU load', async () => {
    await tid('train-ram').waitFor({ timeout: 10000 })
    assert.match(await text('train-ram'), /iB \/ [0-9.]+ GiB/)
    await page.waitForFunction(() => /%$/.test(document.querySelector('[data-testid="train-cpu"]')?.textContent ?? ''), null, { timeout: 10000 })
    await shot(page, 'live')
  })

  let pausedAt = 0
  await check('Pause stops the run after a checkpoint: "paused"', async () => {
    assert.equal(await state(), 'running', `the run is still running (${await text('run-step')}); raise HONE_E2E_STEPS if it finished first`)
    await tid('run-pause').click()
    await waitState('paused', 60000)
    assert.equal(await text('run-state'), 'paused')
    const r = await page.evaluate((id) => window.go.app.Train.Run(id), runId)
    assert.equal(r.run.state, 'paused')
    pausedAt = r.run.step
    assert.ok(pausedAt > 0 && pausedAt < steps, `paused at step ${pausedAt} of ${steps}`)
    console.log(`     paused at step ${pausedAt}`)
    assert.ok(await tid('run-resume').isVisible())
    await noJunk()
  })

  await check('Resume continues from the checkpoint and the run succeeds', async () => {
    await tid('run-resume').click()
    await waitState('succeeded', 180000)
    const r = await page.evaluate((id) => window.go.app.Train.Run(id), runId)
    assert.equal(r.run.state, 'succeeded')
    assert.equal(r.run.step, steps)
    const recorded = r.metrics.map((m) => m.step)
    assert.deepEqual(recorded, Array.from({ length: steps }, (_, i) => i + 1), 'every step once, in order, across the pause')
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="loss-chart"]')?.dataset.points) === n, steps, { timeout: 10000 })
    assert.match(await text('run-eval-loss'), /^[0-9]+\.[0-9]{4}$/, 'the eval loss was measured')
    assert.equal(await text('run-eta'), '0 s')
  })

  await check('the adapter is in the list, and on disk', async () => {
    const row = page.locator(`[data-testid="adapter-row"][data-run="${runId}"]`)
    await row.waitFor({ timeout: 20000 })
    const path = (await row.locator('[data-testid="adapter-path"]').innerText()).trim()
    assert.match(path, /runs\/e2e-stories[^/]*\/adapter$/)
    assert.ok(existsSync(path), `${path} exists`)
    const rows = page.locator(`[data-testid="run-row"][data-id="${runId}"]`)
    assert.equal(await rows.getAttribute('data-state'), 'succeeded')
    await noJunk()
    await shot(page, 'done')
  })
})
