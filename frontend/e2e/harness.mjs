// The common part of the end-to-end tests: headless Chromium (playwright-core)
// on the page `wails dev` serves with the real Go bindings, named checks, and
// the closing line "e2e: N passed, M failed".
//   HONE_E2E_URL  where wails dev serves (default http://localhost:34115)
//   CHROMIUM      the browser (default /usr/bin/chromium)
import { chromium } from 'playwright-core'
import assert from 'node:assert/strict'

// suite opens the page and runs body({ page, check, tid, text, noJunk }); it
// exits the process with 0 only when at least one check ran and none failed.
export async function suite(viewport, body) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  })
  let passed = 0
  let failed = 0
  const check = async (name, fn) => {
    try {
      await fn()
      passed++
      console.log(`ok   ${name}`)
    } catch (e) {
      failed++
      console.log(`FAIL ${name}\n     ${e.message.split('\n').join('\n     ')}`)
    }
  }
  try {
    const page = await browser.newPage({ viewport })
    page.on('pageerror', (e) => console.log('page error:', e.message))
    await page.goto(process.env.HONE_E2E_URL ?? 'http://localhost:34115')
    await body({ page, check, ...helpers(page) })
  } finally {
    await browser.close()
  }
  console.log(`e2e: ${passed} passed, ${failed} failed`)
  process.exit(failed === 0 && passed > 0 ? 0 : 1)
}

// The page's elements by data-testid, as the screens' scripts read them.
function helpers(page) {
  const tid = (id) => page.locator(`[data-testid="${id}"]`)
  // text: what a reader sees of the first such element, white space folded.
  const text = async (id) => (await tid(id).first().innerText()).replace(/\s+/g, ' ').trim()
  const noJunk = async () => {
    const body = await page.locator('body').innerText()
    assert.doesNotMatch(body, /NaN|Infinity|undefined/, 'the page shows no NaN, Infinity or undefined')
  }
  return { tid, text, noJunk }
}
