// End-to-end test of the Chat screen: the real UI in headless Chromium,
// talking to the real Go side served by `wails dev` (see run.sh), on a data
// folder where the command line added stories260K and trained two small
// adapters on it (alpha and beta). It compares the base and both adapters
// on one prompt (three answers side by side, each with its tokens/s), then
// runs a blind arena match, votes, and finds the vote stored and counted;
// then serves them over the API from the Chat screen's panel and calls that
// server from Node with the URL and key the page shows.
//   HONE_E2E_URL   where wails dev serves (default http://localhost:34115)
//   HONE_E2E_OUT   where to save screenshots (optional): chat-*.png
import { suite } from './harness.mjs'
import assert from 'node:assert/strict'
import { join } from 'node:path'

const out = process.env.HONE_E2E_OUT
const shot = async (page, name) => out && page.screenshot({ path: join(out, `chat-${name}.png`), fullPage: true })

await suite({ width: 1400, height: 900 }, async ({ page, check, tid, text, noJunk }) => {
  let modelPath = ''
  const panes = ['base']

  await check('the Chat screen offers stories260K, its base and the two adapters trained on it', async () => {
    await page.getByRole('button', { name: 'Chat', exact: true }).click({ timeout: 30000 })
    assert.equal(await page.locator('h1').innerText(), 'Chat')
    assert.equal(await tid('not-built').count(), 0)
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="chat-model"] option')].some((o) => /stories260K/.test(o.textContent)), null, { timeout: 30000 })
    modelPath = await tid('chat-model').locator('option', { hasText: 'stories260K' }).first().getAttribute('value')
    await tid('chat-model').selectOption(modelPath)
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="pane-option"]').length === 3, null, { timeout: 20000 })
    const ids = await tid('pane-option').evaluateAll((els) => els.map((e) => e.dataset.id))
    assert.equal(ids[0], 'base')
    assert.deepEqual(ids.slice(1).map((id) => id.replace(/-\d+$/, '')).sort(), ['alpha', 'beta'], `the adapters: ${ids.join(', ')}`)
    for (const id of ids.slice(1)) {
      await page.locator(`[data-testid="pane-option"][data-id="${id}"]`).check()
      panes.push(id)
    }
    assert.equal(await tid('pane').count(), 3)
  })

  await check('one prompt: three answers stream side by side, each with its time to first token and tokens/s', async () => {
    await tid('chat-settings-toggle').click()
    await tid('chat-maxTokens').fill('48')
    await tid('chat-prompt').fill('Once upon a time')
    await tid('chat-send').click()
    await page.waitForFunction((n) => {
      const as = [...document.querySelectorAll('[data-testid="pane"] [data-testid="answer"]')]
      return as.length === n && as.every((a) => a.dataset.streaming === 'false') && !!document.querySelector('[data-testid="chat-send"]')
    }, panes.length, { timeout: 120000 })
    assert.equal(await tid('chat-error').count(), 0, await tid('chat-error').count() ? await text('chat-error') : '')
    assert.equal(await tid('pane-error').count(), 0, await tid('pane-error').count() ? await text('pane-error') : '')
    const answers = new Set()
    for (const p of panes) {
      const pane = page.locator(`[data-testid="pane"][data-pane="${p}"]`)
      const answer = (await pane.locator('[data-testid="md"]').innerText()).trim()
      answers.add(answer)
      const stats = (await pane.locator('[data-testid="answer-stats"]').innerText()).trim()
      assert.ok(answer.length > 0, `${p} answered`)
      assert.match(stats, /first token [0-9.,]+ (ms|s) · [0-9.,]+ tok\/s · .*seed \d+/, `${p}: ${stats}`)
      console.log(`     ${p}: ${answer.slice(0, 60).replace(/\s+/g, ' ')}… (${stats})`)
    }
    // One seed, three models: the adapters change the answer.
    assert.equal(answers.size, panes.length, 'each model answers differently')
    const seeds = await tid('answer-stats').evaluateAll((els) => els.map((e) => /seed (\d+)/.exec(e.textContent)?.[1]))
    assert.equal(new Set(seeds).size, 1, `one seed for every pane: ${seeds.join(', ')}`)
    await noJunk()
    await shot(page, 'compare')
  })

  await check('the conversation is stored with the turn and the three answers', async () => {
    const list = await page.evaluate(() => window.go.app.Chat.Conversations())
    assert.equal(list.length, 1)
    assert.equal(list[0].title, 'Once upon a time')
    const v = await page.evaluate((id) => window.go.app.Chat.Conversation(id), list[0].id)
    assert.deepEqual(v.messages.map((m) => m.role), ['user', 'assistant', 'assistant', 'assistant'])
    assert.deepEqual([...v.panes].sort(), [...panes].sort())
    assert.ok(v.messages.slice(1).every((m) => m.stats.tokensPerSecond > 0 && m.stats.seed === v.messages[1].stats.seed))
    assert.equal(await tid('conversation').count(), 1)
  })

  await check('the arena: two anonymous answers, a vote, the models revealed', async () => {
    await tid('tab-arena').click()
    await tid('arena-no-votes').waitFor({ timeout: 10000 })
    await tid('arena-prompt').fill('The little dog')
    await tid('arena-start').click()
    await tid('arena-votes').waitFor({ timeout: 120000 })
    const answers = await tid('arena-answer').allInnerTexts()
    assert.equal(answers.length, 2)
    assert.ok(answers.every((a) => a.trim().length > 0), 'both sides answered')
    assert.equal(await tid('arena-who').count(), 0, 'who wrote what is hidden before the vote')
    await tid('arena-vote-a').click()
    await tid('arena-reveal').waitFor({ timeout: 10000 })
    assert.match(await text('arena-reveal'), /^A was .+, B was .+: A was better\. The vote is stored\.$/)
    console.log(`     ${await text('arena-reveal')}`)
    await shot(page, 'arena')
  })

  await check('the vote is stored and the win-rate table shows it', async () => {
    await tid('arena-standings').waitFor({ timeout: 10000 })
    const rows = await tid('arena-standing').evaluateAll((els) => els.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent.trim())))
    assert.equal(rows.length, 2)
    assert.deepEqual(rows.map((r) => r.slice(1, 6)), [['1', '0', '0', '0', '100%'], ['0', '1', '0', '0', '0%']])
    const st = await page.evaluate((m) => window.go.app.Chat.ArenaStats(m), modelPath)
    assert.equal(st.votes, 1)
    assert.equal(st.pairs.length, 1)
    assert.ok(await tid('arena-export').isEnabled(), 'a decisive vote can be exported')
    await noJunk()
  })

  await check('serve over the API: off stops the server; on, the URL and key the panel shows reach it from outside the window', async () => {
    // The turns above started the chat's server for this model: the switch shows it on.
    await page.waitForFunction(() => document.querySelector('[data-testid="serve-switch"]')?.checked, null, { timeout: 10000 })
    const before = await text('serve-url')
    await tid('serve-switch').click()
    await tid('serve-url').waitFor({ state: 'detached', timeout: 15000 })
    assert.equal(await tid('serve-switch').isChecked(), false)
    await assert.rejects(fetch(`${before}/models`), 'the stopped server still answers')
    await tid('serve-switch').click()
    await tid('serve-url').waitFor({ timeout: 120000 })
    const url = await text('serve-url')
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    assert.match(await text('serve-token'), /^•+$/, 'the key is masked')
    await tid('serve-token-show').click()
    const token = await text('serve-token')
    assert.match(token, /^[0-9a-f]{32}$/)
    assert.match(await tid('serve-panel').innerText(), /Listens on 127\.0\.0\.1 only/)
    await shot(page, 'serve')

    const auth = { Authorization: `Bearer ${token}` }
    assert.equal((await fetch(`${url}/models`)).status, 401, 'no key, no answer')
    const res = await fetch(`${url}/models`, { headers: auth })
    assert.equal(res.status, 200)
    const ids = (await res.json()).data.map((m) => m.id)
    assert.deepEqual([...ids].sort(), [...panes].sort(), `the API lists ${ids.join(', ')}`)
    assert.deepEqual((await tid('serve-model').allInnerTexts()).sort(), [...panes].sort(), 'the panel lists the ids the API serves')

    const adapter = panes[1]
    const chat = await fetch(`${url}/chat/completions`, {
      method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: adapter, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 16, seed: 1 }),
    })
    assert.equal(chat.status, 200, await chat.clone().text())
    const body = await chat.json()
    assert.equal(body.model, adapter)
    assert.ok(body.choices[0].message.content.length > 0, 'the adapter answered')
    console.log(`     ${url} ${adapter}: ${body.choices[0].message.content.slice(0, 60).replace(/\s+/g, ' ')}…`)
    await noJunk()
  })
})
