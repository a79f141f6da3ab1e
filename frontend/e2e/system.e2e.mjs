// End-to-end test of the System screen: the real UI in headless Chromium,
// talking to the real Go side served by `wails dev` (see run.sh).
//   HONE_E2E_URL   where wails dev serves (default http://localhost:34115)
//   HONE_E2E_GPUS  how many GPUs the app was started with (0: none, CPU only)
//   HONE_E2E_SHOT  where to save a screenshot (optional)
//   HONE_E2E_DAMAGED_DB  set when the app was started on a damaged database:
//                  the window must explain, and show nothing else
import { suite } from './harness.mjs'
import { readFileSync } from 'node:fs'
import assert from 'node:assert/strict'

const wantGPUs = Number(process.env.HONE_E2E_GPUS ?? '0')

const cpuinfoModel = readFileSync('/proc/cpuinfo', 'utf8')
  .split('\n')
  .find((l) => l.startsWith('model name'))
  ?.split(':')[1]
  .trim()


await suite({ width: 1200, height: 780 }, async ({ page, check }) => {
  const text = (id) => page.locator(`[data-testid="${id}"]`).first().innerText()

  if (process.env.HONE_E2E_DAMAGED_DB) {
    await check('a damaged database is explained in the window, and no screen opens', async () => {
      await page.locator('[data-testid="startup-error"]').waitFor({ timeout: 30000 })
      const msg = await text('startup-error')
      assert.match(msg, /damaged or not a SQLite database/)
      assert.ok(msg.includes(process.env.HONE_E2E_DAMAGED_DB), `message names the file: ${msg}`)
      assert.equal(await page.locator('[data-testid="cpu-model"]').count(), 0)
      assert.equal(await page.getByRole('button', { name: 'Plan', exact: true }).isDisabled(), true)
    })
    if (process.env.HONE_E2E_SHOT) await page.screenshot({ path: process.env.HONE_E2E_SHOT })
    return
  }

  await check('the System screen shows the CPU model of /proc/cpuinfo', async () => {
    await page.locator('[data-testid="cpu-model"]').waitFor({ timeout: 30000 })
    assert.equal(await text('cpu-model'), cpuinfoModel)
  })

  if (wantGPUs === 0) {
    await check('with no NVIDIA driver the screen says CPU only, with the reason', async () => {
      assert.match(await text('cpu-only'), /^CPU only: .+/)
      assert.equal(await page.locator('[data-testid="gpu"]').count(), 0)
      assert.match(await text('backend'), /CPU backend/)
    })
  } else {
    await check(`all ${wantGPUs} GPUs appear with their VRAM and a bar`, async () => {
      assert.equal(await page.locator('[data-testid="gpu"]').count(), wantGPUs)
      for (const v of await page.locator('[data-testid="vram"]').allInnerTexts()) {
        assert.match(v, /used of 24\.0 GiB/)
      }
      assert.equal(await page.locator('[data-testid="vram-bar"]').count(), wantGPUs)
      assert.match(await text('fake-gpus'), /Simulated GPUs/)
      assert.equal(await page.locator('[data-testid="cpu-only"]').count(), 0)
    })
  }

  await check('the bound Go method answers the page directly', async () => {
    const r = await page.evaluate(() => window.go.app.System.Report())
    assert.equal(r.cpu.model, cpuinfoModel)
    assert.equal(r.gpus.length, wantGPUs)
  })

  await check('the screen refreshes every second while visible', async () => {
    const first = await text('updated')
    await page.waitForFunction(
      (t) => document.querySelector('[data-testid="updated"]')?.textContent !== t, first, { timeout: 5000 })
  })

  if (process.env.HONE_E2E_SHOT) await page.screenshot({ path: process.env.HONE_E2E_SHOT })

  await check('the Plan screen is built' + (wantGPUs === 0 ? ', and with no GPU plans for a card one picks' : ''), async () => {
    await page.getByRole('button', { name: 'Plan', exact: true }).click()
    assert.equal(await page.locator('h1').innerText(), 'Plan')
    await page.locator('[data-testid="plan-model"]:enabled').waitFor({ timeout: 10000 })
    assert.equal(await page.locator('[data-testid="not-built"]').count(), 0)
    if (wantGPUs === 0) {
      assert.equal(await page.locator('[data-testid="plan-gpu"]').inputValue(), 'rtx4090')
      assert.match(await text('plan-no-gpu'), /No GPU was found in this machine/)
      await page.locator('[data-testid="plan-model"]').selectOption('llama-3.1-8b')
      await page.locator('[data-testid="plan-tco"]').waitFor({ timeout: 10000 })
      assert.match(await text('plan-target'), /NVIDIA GeForce RTX 4090 · a card you pick, not in this machine/)
    }
  })

  await check('every other screen says plainly that it is not built yet', async () => {
    await page.getByRole('button', { name: 'Datasets', exact: true }).click()
    await page.locator('[data-testid="ds-dropzone"]').waitFor({ timeout: 10000 })
    assert.equal(await page.locator('[data-testid="not-built"]').count(), 0, 'the Datasets screen is built')
    await page.getByRole('button', { name: 'Adapters', exact: true }).click()
    await page.locator('[data-testid="models-download"]').waitFor({ timeout: 10000 })
    assert.equal(await page.locator('[data-testid="not-built"]').count(), 0, 'the Adapters screen is built')
    await page.getByRole('button', { name: 'Train', exact: true }).click()
    await page.locator('[data-testid="train-form"]').waitFor({ timeout: 10000 })
    assert.equal(await page.locator('[data-testid="not-built"]').count(), 0, 'the Train screen is built')
    await page.getByRole('button', { name: 'Chat', exact: true }).click()
    await page.locator('[data-testid="chat-model"]').waitFor({ timeout: 10000 })
    assert.equal(await page.locator('[data-testid="not-built"]').count(), 0, 'the Chat screen is built')
    for (const name of ['Evaluate']) {
      await page.getByRole('button', { name, exact: true }).click()
      assert.equal(await page.locator('h1').innerText(), name)
      assert.match(await text('not-built'), /Not built yet/)
    }
    await page.getByRole('button', { name: 'System', exact: true }).click()
    await page.locator('[data-testid="cpu-model"]').waitFor({ timeout: 10000 })
  })
})
