import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { ApiClient, AppProcess, createTestDatabase, FakeOpenAiServer, listenPort, registerUser, type TestUser } from '#testing';
import {
  CHROMIUM_PATH,
  chromiumInstalled,
  contrastViolations,
  focusIsVisible,
  launchChromium,
  screenshot,
  unlabelledControls,
  unnamedControls,
} from './support/browser.js';
import { withTimeout } from './support/waits.js';

const KEY = 'sk-playground-test-key-0001';

/**
 * The playground page, served by the platform as `npm start` runs it (one process, the in-process
 * bus), driven in a real headless Chromium against a fake OpenAI-compatible model speaking real
 * HTTP and SSE. The platform has no key of its own: runs use the key each user stores.
 */
describe('the playground page', () => {
  const port = listenPort();
  const base = `http://localhost:${port}`;
  const api = new ApiClient(`http://127.0.0.1:${port}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'ap-playground-'));
  chmodSync(dataDir, 0o755);
  let platform: AppProcess;
  let fake: FakeOpenAiServer;

  beforeAll(async () => {
    if (!chromiumInstalled()) {
      console.warn(`The playground's browser tests are SKIPPED: no Chromium at ${CHROMIUM_PATH}. Install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH.`);
    }
    fake = await FakeOpenAiServer.start();
    platform = AppProcess.forApp('standalone', {
      DATABASE_URL: await createTestDatabase('playground'),
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'info',
      OPENAI_BASE_URL: fake.baseUrl,
      // One run at a time per user, so "too many runs" can be shown; every test has its own user.
      EXECUTION_MAX_ACTIVE_RUNS_PER_USER: '1',
    });
    platform.start();
    await platform.waitForOutput(/Agent platform is up/, 90_000);
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await fake?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the start banner names the page where a person can try an agent', () => {
    expect(platform.output).toContain(`Agent platform is up: try an agent at http://localhost:${port}/, API at http://localhost:${port}/api/v1`);
  });

  it('serves the page at / and /playground with a strict content policy, and its files for good under content-hashed names', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    expect(html).toContain('"modelProviders":["openai"');
    const script = /src="(\/playground\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    const styles = /href="(\/playground\/assets\/app-[A-Z0-9]+\.css)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(styles).toBeDefined();
    expect((await fetch(`${base}/playground`)).status).toBe(200);

    const asset = await fetch(`${base}${script as string}`, { headers: { 'accept-encoding': 'identity' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const plain = Buffer.from(await asset.arrayBuffer());
    // Nothing is fetched from elsewhere at run time: the bundle names no other origin to load from.
    expect(plain.toString('utf8')).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\/[^"'\s]*\.(js|css|mjs)/i);
    const etag = asset.headers.get('etag') as string;
    expect((await fetch(`${base}${script as string}`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    // node's fetch decodes gzip itself; a raw request shows what went over the wire.
    const raw = await import('node:http').then(
      (http) =>
        new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
          http
            .get(`${base}${script as string}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
            })
            .on('error', reject);
        }),
    );
    expect(raw.encoding).toBe('gzip');
    expect(gunzipSync(raw.body).equals(plain)).toBe(true);

    const missing = await fetch(`${base}/playground/assets/app-NOPE.js`);
    expect(missing.status).toBe(404);
    expect((await missing.json()) as { code: string }).toMatchObject({ code: 'NOT_FOUND' });
    // The API and the docs are where they were.
    expect((await fetch(`${base}/api/v1/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/docs/openapi.json`)).status).toBe(200);
  });

  const describeInBrowser = chromiumInstalled() ? describe : describe.skip;
  describeInBrowser(chromiumInstalled() ? 'in a real browser' : `in a real browser: SKIPPED, no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`, () => {
    let browser: { context: BrowserContext; close: () => Promise<void> };
    let page: Page;

    beforeAll(async () => {
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
    });

    beforeEach(async () => {
      fake.reset();
      fake.requireApiKey(KEY);
      page = await browser.context.newPage();
    });

    afterEach(async () => {
      await page?.close();
    });

    /** A user with the model key stored, through the API (the first test stores one through the page). */
    const newUser = async (key: string | null = KEY): Promise<TestUser> => {
      const user = await registerUser(api);
      if (key) expect((await api.request('PUT', '/api/v1/settings/provider-keys/openai', { token: user.accessToken, body: { apiKey: key } })).status).toBe(200);
      return user;
    };
    const newAgent = async (user: TestUser, body: Record<string, unknown> = {}): Promise<string> => {
      const res = await api.post('/api/v1/agents', { name: 'Helper', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Be brief.', ...body }, user.accessToken);
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const signIn = async (user: TestUser, hash = '') => {
      await page.goto(`${base}/${hash}`);
      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
    };
    const composer = () => page.getByRole('textbox', { name: 'Message' });
    const send = async (text: string) => {
      await composer().fill(text);
      await composer().press('Enter');
    };
    const liveText = () => page.locator('.answer-live .message-text');
    /** An answer as stored in the conversation (not the one streaming in). */
    const storedAnswer = (text: string): Locator => page.locator('.turn:not(.turn-live) .answer .message-assistant .message-text', { hasText: text });
    const expectAccessible = async (screen: string) => {
      expect({ screen, unlabelled: await unlabelledControls(page) }).toEqual({ screen, unlabelled: [] });
      expect({ screen, unnamed: await unnamedControls(page) }).toEqual({ screen, unnamed: [] });
      expect({ screen, contrast: await contrastViolations(page) }).toEqual({ screen, contrast: [] });
    };

    it('signs up with the keyboard, stores a model key, creates an agent from a template, and streams its answer token by token', async () => {
      await page.goto(`${base}/`);
      await page.getByRole('heading', { name: 'Sign in to the playground' }).waitFor();
      await screenshot(page, '01-sign-in');
      await expectAccessible('sign-in');

      // Keyboard only: every step is a focusable control with a visible focus ring.
      await page.getByRole('button', { name: 'Create an account' }).focus();
      expect(await focusIsVisible(page)).toBe(true);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Create an account' }).waitFor();
      const email = `play-${Date.now()}@example.test`;
      await page.getByLabel('Email').focus();
      await page.keyboard.type(email);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');
      await page.keyboard.type('correct-horse-battery');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Pick an agent to chat with' }).waitFor();
      // Workflows and knowledge bases get a nav entry only where the server has their routes.
      const prober = await registerUser(api);
      const areas = await Promise.all((['workflows', 'knowledge-bases'] as const).map(async (path) => (await api.get(`/api/v1/${path}`, prober.accessToken)).status === 200));
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['Chat', 'Agents', 'Model keys', ...(areas[0] ? ['Workflows'] : []), ...(areas[1] ? ['Knowledge'] : [])]);
      await screenshot(page, '02-home');
      await expectAccessible('home');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Model keys' }).click();
      await page.getByRole('heading', { name: 'Model keys' }).waitFor();
      await page.getByLabel('Provider', { exact: true }).selectOption('openai');
      await page.getByLabel('API key for openai').fill(KEY);
      await page.getByRole('button', { name: 'Save key' }).click();
      await page.getByRole('cell', { name: '••••0001' }).waitFor();
      await screenshot(page, '03-model-keys');
      await expectAccessible('model keys');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
      await page.getByRole('link', { name: 'Create your first agent' }).click();
      await page.getByRole('heading', { name: 'New agent' }).waitFor();
      await page.getByRole('radio', { name: /Writing assistant/ }).check();
      await page.getByText('Your stored openai key ••••0001 will be used.').waitFor();
      await screenshot(page, '04-new-agent');
      await expectAccessible('new agent');

      const story = ['Once ', 'upon ', 'a ', 'time, ', 'a ', 'router ', 'rebooted. ', 'It ', 'came ', 'back. ', 'The ', 'end.'];
      fake.replyText(story, { chunkDelayMs: 250, usage: { promptTokens: 30, completionTokens: 12 } });
      await page.getByRole('button', { name: 'Create and chat' }).click();
      await page.getByRole('heading', { name: 'New chat with Writing assistant' }).waitFor();
      await send('Tell me a story');

      // Part of the answer is on the page while the rest is still being written.
      await page.locator('.answer-live[aria-busy="true"] .message-text', { hasText: 'Once upon' }).waitFor();
      const partial = (await liveText().textContent()) ?? '';
      expect(partial).not.toContain('The end.');
      await page.locator('.answer-live .step-running', { hasText: 'openai/gpt-4o-mini' }).waitFor();
      await screenshot(page, '05-chat-streaming');

      await storedAnswer('Once upon a time, a router rebooted. It came back. The end.').waitFor();
      await page.locator('.answer-live').waitFor({ state: 'detached' });
      await page.locator('.message-meta', { hasText: '42 tokens (30 in, 12 out)' }).waitFor();
      await expect(page.locator('.message-meta', { hasText: '42 tokens' }).textContent()).resolves.toMatch(/\$0\.0000\d\d/);
      await page.locator('.steps-details[open] .step', { hasText: 'Model call' }).filter({ hasText: /\d+(\.\d)? (ms|s)/ }).waitFor();
      // Screen readers hear the answer a sentence at a time.
      await expect(page.getByRole('log').textContent()).resolves.toBe('Once upon a time, a router rebooted.It came back.The end.');
      await page.getByRole('complementary', { name: 'Conversations' }).getByRole('link', { name: /Tell me a story/ }).waitFor();
      expect(fake.completions).toHaveLength(1);
      expect(fake.completions[0].headers.authorization).toBe(`Bearer ${KEY}`);
      await screenshot(page, '06-chat-answered');
      await expectAccessible('chat');
    }, 120_000);

    it("makes an agent with the wizard, edits its prompt, model and tools, and shows the agent's tool calls and steps with their timings", async () => {
      const user = await newUser();
      await signIn(user, '#/agents/new');
      await page.getByRole('radio', { name: 'Three questions (the wizard)' }).check();
      await page.getByLabel('Who is the agent?').fill('Max, a patient maths tutor');
      await page.getByLabel('What rules does it follow? (one per line)').fill('Show your working\nAnswer in English');
      await page.getByLabel('What can it do? (one tool or skill per line, optional)').fill('Arithmetic');
      await page.getByRole('button', { name: 'Create and chat' }).click();
      await page.getByRole('link', { name: 'Edit agent' }).click();

      const prompt = page.getByLabel('System prompt');
      await expect(prompt.inputValue()).resolves.toContain('Max, a patient maths tutor');
      await prompt.fill(`${await prompt.inputValue()}\nAlways be brief.`);
      await page.getByLabel('Model name').fill('gpt-4o');
      await page.getByRole('checkbox', { name: /Calculator/ }).check();
      await page.getByRole('checkbox', { name: /Current time/ }).check();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Saved. New runs use version 2.').waitFor();
      await screenshot(page, '07-edit-agent');
      await expectAccessible('edit agent');
      const agentId = /#\/agents\/([0-9a-f-]{36})/.exec(page.url())?.[1] as string;
      const agent = await api.get(`/api/v1/agents/${agentId}`, user.accessToken);
      expect(agent.body).toMatchObject({ modelName: 'gpt-4o', currentVersion: 2 });
      expect(agent.body.systemPrompt).toContain('Always be brief.');
      expect(agent.body.tools).toEqual([
        { kind: 'builtin', name: 'calculator' },
        { kind: 'builtin', name: 'current_time' },
      ]);

      fake.replyToolCalls([{ id: 'call_1', name: 'calculator', arguments: { expression: '17 * 23' } }], { usage: { promptTokens: 40, completionTokens: 10 } });
      fake.replyText(['17 × 23 ', '= 391.'], { chunkDelayMs: 150, usage: { promptTokens: 60, completionTokens: 8 } });
      await page.getByRole('link', { name: 'Chat with it' }).click();
      await send('What is 17 * 23?');
      await storedAnswer('17 × 23 = 391.').waitFor();
      const call = page.locator('.tool-call');
      await expect(call.textContent()).resolves.toBe('calculator{"expression":"17 * 23"} →  returned 391');
      const steps = page.locator('.steps-details[open] .step');
      // The steps are fetched when the details open: wait for them before counting.
      await steps.nth(2).waitFor();
      await expect(steps.count()).resolves.toBe(3);
      await expect(steps.allTextContents()).resolves.toEqual([
        expect.stringMatching(/^Model callopenai\/gpt-4o\d+(\.\d)? (ms|s)50 tokens$/),
        expect.stringMatching(/^Toolcalculator\d+(\.\d)? (ms|s)$/),
        expect.stringMatching(/^Model callopenai\/gpt-4o\d+(\.\d)? (ms|s)68 tokens$/),
      ]);
      await page.locator('.message-meta', { hasText: '50 tokens (40 in, 10 out)' }).waitFor();
      await page.locator('.message-meta', { hasText: '68 tokens (60 in, 8 out)' }).waitFor();
      expect(fake.completions[0].body.model).toBe('gpt-4o');
      expect(fake.completions[0].body.messages[0].content).toContain('Always be brief.');
      await screenshot(page, '08-chat-tool-calls');
      await expectAccessible('chat with tool calls');
    }, 120_000);

    it('a reload in the middle of an answer picks the stream up after the last event seen: the answer goes on, and the model is asked once', async () => {
      const user = await newUser();
      const agentId = await newAgent(user);
      await signIn(user, `#/agents/${agentId}/chat`);
      const resumedFrom: string[] = [];
      page.on('request', (request) => {
        if (/\/api\/v1\/runs\/[0-9a-f-]+\/events$/.test(request.url())) resumedFrom.push(request.headers()['last-event-id'] ?? '(none)');
      });
      const words = Array.from({ length: 24 }, (_, i) => `w${i + 1} `);
      fake.replyText(words, { chunkDelayMs: 200 });
      await send('Count to twenty-four');
      await liveText().filter({ hasText: 'w6 ' }).waitFor();
      const before = ((await liveText().textContent()) ?? '').trim();
      expect(before).not.toContain('w24');

      await page.reload();
      // What had arrived is shown again at once, from this tab's storage, and the stream goes on from there.
      await page.locator('.answer-live[aria-busy="true"] .message-text', { hasText: before }).waitFor();
      await screenshot(page, '09-chat-resumed-after-reload');
      await storedAnswer('w24').waitFor();
      const answer = (await storedAnswer('w24').textContent()) ?? '';
      expect(answer).toBe(words.join(''));
      expect(resumedFrom).toHaveLength(1);
      expect(Number(resumedFrom[0])).toBeGreaterThan(3);
      expect(fake.completions).toHaveLength(1);
      // Reloading again after the end shows the stored conversation, with no stream to resume.
      await page.reload();
      await storedAnswer('w24').waitFor();
      expect(resumedFrom).toHaveLength(1);
    }, 120_000);

    it('stop ends the answer: the model request is aborted, and what was said stays, marked stopped', async () => {
      const user = await newUser();
      const agentId = await newAgent(user);
      await signIn(user, `#/agents/${agentId}/chat`);
      fake.replyText(['Partial ', 'answer ', 'so ', 'far ', 'and more'], { stallAfterChunks: 3 });
      await send('Tell me everything');
      await liveText().filter({ hasText: 'Partial answer so' }).waitFor();
      await fake.waitForCompletions(1);

      const stop = page.getByRole('button', { name: 'Stop', exact: true });
      await stop.focus();
      expect(await focusIsVisible(page)).toBe(true);
      await page.keyboard.press('Enter');
      await withTimeout(fake.waitForDisconnect(fake.completions[0]), 10_000, 'the model request was not aborted');
      await page.locator('.answer-live .live-status', { hasText: 'Stopped' }).waitFor();
      await expect(liveText().textContent()).resolves.toBe('Partial answer so ');
      await page.getByRole('button', { name: 'Send', exact: true }).waitFor();
      await screenshot(page, '10-chat-stopped');

      await page.reload();
      await page.locator('.message-stopped', { hasText: 'Partial answer so' }).waitFor();
      fake.replyText('Back again.');
      await send('Go on');
      await storedAnswer('Back again.').waitFor();
    }, 120_000);

    it('edits the first message into a new branch, switches back and forth, and finds messages by search', async () => {
      const user = await newUser();
      const agentId = await newAgent(user);
      await signIn(user, `#/agents/${agentId}/chat`);
      fake.replyText('Paris.');
      await send('Capital of France?');
      await storedAnswer('Paris.').waitFor();

      fake.replyText('Berlin.');
      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      await page.getByLabel('Edit your message (a new branch starts from here)').fill('Capital of Germany?');
      await page.getByRole('button', { name: 'Send as a new branch' }).click();
      await storedAnswer('Berlin.').waitFor();
      await expect(storedAnswer('Paris.').count()).resolves.toBe(0);
      await page.getByRole('navigation', { name: 'Versions of this message' }).getByText('2 / 2').waitFor();
      // The new branch starts over: the model did not see the first question.
      expect((fake.completions[1].body.messages as Array<{ content: string }>).map((m) => m.content)).toEqual(['Be brief.', 'Capital of Germany?']);
      await screenshot(page, '11-chat-branches');
      await expectAccessible('branches');

      await page.getByRole('button', { name: 'Previous version (1 of 2)' }).click();
      await storedAnswer('Paris.').waitFor();
      await page.locator('.message-user .message-text', { hasText: 'Capital of France?' }).waitFor();
      await page.getByRole('navigation', { name: 'Versions of this message' }).getByText('1 / 2').waitFor();
      await page.reload();
      await storedAnswer('Paris.').waitFor();
      await page.getByRole('button', { name: 'Next version (2 of 2)' }).click();
      await storedAnswer('Berlin.').waitFor();

      await page.getByLabel('Search conversations').fill('Berlin');
      const hit = page.getByRole('complementary', { name: 'Conversations' }).locator('.search-hits mark', { hasText: 'Berlin' });
      await hit.waitFor();
      await screenshot(page, '12-search');
      await expectAccessible('search');
    }, 120_000);

    it("explains the platform's problem codes: no model configured, a key the provider refuses, too many runs at once", async () => {
      const user = await newUser(null);
      const agentId = await newAgent(user);
      await signIn(user, `#/agents/${agentId}/chat`);
      await send('Hello?');
      const alert = page.locator('[role="alert"][data-code="MODEL_NOT_CONFIGURED"]');
      await alert.waitFor();
      await expect(alert.locator('.notice-title').textContent()).resolves.toBe('No model is configured for this agent');
      const runs = await api.get('/api/v1/runs?limit=1', user.accessToken);
      expect(runs.body.items[0].error.code).toBe('MODEL_NOT_CONFIGURED');
      await expect(alert.locator('.notice-detail').textContent()).resolves.toBe(runs.body.items[0].error.message);
      expect(fake.completions).toHaveLength(0);
      await screenshot(page, '13-error-no-model');
      await expectAccessible('no model error');

      // The notice leads to where a key is stored; this one the provider refuses.
      await alert.getByRole('link', { name: 'Store a model key' }).click();
      await page.getByLabel('API key for openai').fill('sk-not-the-right-key-9999');
      await page.getByRole('button', { name: 'Save key' }).click();
      await page.getByRole('cell', { name: '••••9999' }).waitFor();
      await page.goBack();
      await composer().waitFor();
      await send('Hello again?');
      const refused = page.locator('[role="alert"][data-code="PROVIDER_ERROR"]');
      await refused.waitFor().catch(async (err: unknown) => {
        // What the page and the platform show instead, for whoever reads the failure.
        const alerts = await page.locator('[role="alert"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-code')}: ${e.textContent}`));
        const runs = await api.get('/api/v1/runs?limit=3', user.accessToken);
        throw new Error(`${String(err)}\nalerts: ${JSON.stringify(alerts)}\ncomposer: ${JSON.stringify(await composer().inputValue())}\nruns: ${JSON.stringify(runs.body.items?.map((r: { status: string; error: unknown }) => [r.status, r.error]))}\nurl: ${page.url()}`);
      });
      await expect(refused.locator('.notice-title').textContent()).resolves.toBe('The model provider refused the API key');
      expect(await refused.textContent()).not.toContain('sk-not-the-right-key');

      // One run at a time here: a second one is refused with 429, in words.
      expect((await api.request('PUT', '/api/v1/settings/provider-keys/openai', { token: user.accessToken, body: { apiKey: KEY } })).status).toBe(200);
      fake.reply({ kind: 'hang' });
      const elsewhere = await api.post('/api/v1/conversations', { agentId }, user.accessToken);
      const busy = await api.post(`/api/v1/conversations/${elsewhere.body.id as string}/messages?background=true`, { content: 'Think hard' }, user.accessToken);
      expect(busy.status).toBe(202);
      await send('And now?');
      const limited = page.locator('[role="alert"][data-code="RATE_LIMITED"]');
      await limited.waitFor();
      await expect(limited.locator('.notice-title').textContent()).resolves.toBe('Too many requests');
      await expect(limited.locator('.notice-detail').textContent()).resolves.toContain('runs pending or running');
      await expect(composer().inputValue()).resolves.toBe('And now?');
      await screenshot(page, '14-error-rate-limited');
      expect((await api.post(`/api/v1/runs/${busy.body.id as string}/cancel`, {}, user.accessToken)).status).toBe(200);
    }, 120_000);

    it('refreshes a refused access token once, rotating the refresh token; a spent refresh token ends the session with a message', async () => {
      const user = await newUser();
      await signIn(user, '#/agents');
      await page.getByRole('heading', { name: 'Agents', exact: true }).waitFor();
      const stored = () => page.evaluate(() => ({ refresh: sessionStorage.getItem('playground.refreshToken'), access: sessionStorage.getItem('playground.accessToken') }));
      const first = await stored();
      expect(first.refresh).toBeTruthy();
      // The token is kept for this tab only, and never put in an address.
      expect(page.url()).not.toContain(first.refresh as string);
      await page.evaluate(() => sessionStorage.setItem('playground.accessToken', JSON.stringify({ token: 'not-a-token', expiresAt: Date.now() + 600_000 })));

      const refreshes: number[] = [];
      page.on('response', (response) => {
        if (response.url().endsWith('/api/v1/auth/refresh')) refreshes.push(response.status());
      });
      await page.reload();
      await page.getByRole('heading', { name: 'Agents', exact: true }).waitFor();
      await page.getByRole('complementary', { name: 'Conversations' }).getByText('No conversations yet.').waitFor();
      // Several requests met the 401 together (the list, the side list, the nav's probes); they shared one refresh.
      expect(refreshes).toEqual([200]);
      const second = await stored();
      expect(second.refresh).not.toBe(first.refresh);

      // A spent refresh token is refused (and ends that whole session): the page says so and asks to sign in.
      await page.evaluate((spent) => {
        sessionStorage.setItem('playground.refreshToken', spent);
        sessionStorage.removeItem('playground.accessToken');
      }, first.refresh as string);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Model keys' }).click();
      await page.getByText('Your session ended. Sign in again.').waitFor();
      await page.getByRole('heading', { name: 'Sign in to the playground' }).waitFor();
      expect(refreshes).toEqual([200, 401]);
      expect((await api.post('/api/v1/auth/refresh', { refreshToken: second.refresh })).status).toBe(401);
    }, 120_000);

    it("creates a workflow from the example, runs it, follows each node, answers its human-input form (after a reload) and shows the outputs", async () => {
      const user = await newUser();
      await signIn(user, '#/workflows');
      await page.getByRole('heading', { name: 'Workflows', exact: true }).waitFor();
      await page.getByRole('link', { name: 'Create your first workflow' }).click();
      await page.getByRole('heading', { name: 'New workflow' }).waitFor();
      const definition = page.getByLabel('Definition (JSON)');
      await expect(definition.inputValue()).resolves.toContain('"type": "human"');
      // A broken definition is refused by the server, each problem named by its path.
      const good = await definition.inputValue();
      await definition.fill(good.replace('"to": "done"', '"to": "nowhere"'));
      await page.getByRole('button', { name: 'Create workflow' }).click();
      await page.getByRole('list', { name: 'Problems in the definition' }).getByText(/edges\[2\]\.to/).waitFor();
      await screenshot(page, '16-workflow-invalid');
      await definition.fill(good);
      await page.getByRole('button', { name: 'Create workflow' }).click();
      await page.getByRole('heading', { name: 'Draft and approve' }).waitFor();
      await expectAccessible('workflow');

      // The form is the workflow's declared inputs; a required one left empty is named, and nothing runs.
      await page.getByRole('button', { name: 'Run workflow' }).click();
      await page.getByText('topic is required').waitFor();
      expect(fake.completions).toHaveLength(0);
      fake.replyText(['Tides rise ', 'and fall.'], { usage: { promptTokens: 12, completionTokens: 5 } });
      await page.getByLabel('topic (required)').fill('tides');
      await page.getByRole('button', { name: 'Run workflow' }).click();
      const nodes = page.getByRole('list', { name: 'Nodes' });
      await nodes.locator('.node-completed', { hasText: 'write' }).filter({ hasText: /\d+(\.\d)? (ms|s)/ }).waitFor();
      await page.getByRole('heading', { name: 'Waiting for you' }).waitFor();
      await page.getByText('Approve this draft? Tides rise and fall.').waitFor();
      await screenshot(page, '17-workflow-human-input');
      await expectAccessible('workflow human input');

      // A reload replays the run's stored events: the form is back, and the model was asked once.
      const runId = /#\/workflows\/[0-9a-f-]{36}\/runs\/([0-9a-f-]{36})/.exec(page.url())?.[1] as string;
      expect(runId).toBeDefined();
      await page.reload();
      await page.getByRole('heading', { name: 'Waiting for you' }).waitFor();
      await page.getByRole('checkbox', { name: 'Approved' }).check();
      await page.getByLabel('Note').fill('ship it');
      await page.getByRole('button', { name: 'Send answer' }).click();
      const outputs = page.locator('.run-outputs');
      await outputs.waitFor();
      await expect(outputs.locator('dd').allTextContents()).resolves.toEqual(['Tides rise and fall.', 'true']);
      await page.locator('.run-panel .run-status-completed').waitFor();
      await page.locator('.run-panel .message-meta', { hasText: '17 tokens' }).waitFor();
      await nodes.locator('.node-completed', { hasText: 'review' }).waitFor();
      await page.getByRole('list', { name: 'Recent runs' }).getByText('completed').waitFor();
      expect(fake.completions).toHaveLength(1);
      const run = await api.get(`/api/v1/runs/${runId}`, user.accessToken);
      expect(run.body).toMatchObject({ status: 'completed', output: { draft: 'Tides rise and fall.', approved: true } });
      await screenshot(page, '18-workflow-completed');
      await expectAccessible('workflow completed');

      // Another user's workflow and runs are not there for this one.
      const other = await newUser();
      expect((await api.get(`/api/v1/runs?workflowId=${run.body.workflowId as string}`, other.accessToken)).body.items).toEqual([]);
      expect((await api.get(`/api/v1/runs?workflowId=${run.body.workflowId as string}`, user.accessToken)).body.items.map((r: { id: string }) => r.id)).toEqual([runId]);
    }, 120_000);

    it("creates a knowledge base, adds documents from text and from a file, shows their ingestion, searches them, and shows another user's base as not found", async () => {
      const user = await newUser();
      await signIn(user, '#/knowledge');
      await page.getByRole('heading', { name: 'Knowledge', exact: true }).waitFor();
      await page.getByLabel('Name of a new knowledge base').fill('Handbook');
      await page.getByRole('button', { name: 'Create knowledge base' }).click();
      await page.getByRole('heading', { name: 'Handbook' }).waitFor();
      await page.getByText('No documents yet: add one below.').waitFor();

      await page.getByLabel('Title').fill('Refunds');
      await page.getByLabel('Format of the text').selectOption('markdown');
      await page.getByLabel('Text', { exact: true }).fill('# Refunds\n\nRefunds are paid within 14 days of a returned parcel.');
      await page.getByLabel('Metadata (JSON, optional)').fill('{"team": "support"');
      await page.getByRole('button', { name: 'Add document' }).click();
      await page.getByText('must be a JSON object').waitFor();
      await page.getByLabel('Metadata (JSON, optional)').fill('{"team": "support"}');
      await page.getByRole('button', { name: 'Add document' }).click();
      await page.getByText('Added "Refunds".').waitFor();
      const table = page.getByRole('table');
      const refunds = table.getByRole('row', { name: /Refunds/ });
      await refunds.getByText('ready').waitFor();
      await expect(refunds.getByRole('cell').nth(3).textContent()).resolves.toMatch(/^(\d+) \/ \1$/);

      // A file: read in the page and sent as its text.
      await page.getByLabel(/^File/).setInputFiles({ name: 'shipping.txt', mimeType: 'text/plain', buffer: Buffer.from('Parcels ship within two working days by courier.') });
      await page.getByRole('button', { name: 'Add document' }).click();
      await page.getByText('Added "shipping.txt".').waitFor();
      await table.getByRole('row', { name: /shipping\.txt/ }).getByText('ready').waitFor();
      const docs = await api.get(`/api/v1/knowledge-bases/${/#\/knowledge\/([0-9a-f-]{36})/.exec(page.url())?.[1] as string}/documents`, user.accessToken);
      expect(docs.body.items.map((d: { title: string; status: string; metadata: unknown }) => [d.title, d.status, d.metadata]).sort()).toEqual([
        ['Refunds', 'ready', { team: 'support' }],
        ['shipping.txt', 'ready', {}],
      ]);
      await screenshot(page, '19-knowledge-documents');
      await expectAccessible('knowledge base');

      await page.getByLabel('Query').fill('refunds paid');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const hits = page.getByRole('list', { name: 'Search results' });
      await hits.getByRole('listitem').first().locator('mark', { hasText: /refunds/i }).first().waitFor();
      await expect(hits.getByRole('listitem').first().textContent()).resolves.toContain('14 days');
      await screenshot(page, '20-knowledge-search');
      await expectAccessible('knowledge search');

      // Delete one: it leaves the list.
      await page.getByRole('button', { name: 'Delete shipping.txt' }).click();
      await table.getByRole('row', { name: /shipping\.txt/ }).waitFor({ state: 'detached' });

      // Another user, in a tab of their own, opening this base's address: not found.
      const baseUrl = page.url();
      const other = await newUser();
      await page.close();
      page = await browser.context.newPage();
      await signIn(other, baseUrl.slice(baseUrl.indexOf('#')));
      await page.locator('[role="alert"][data-code="NOT_FOUND"]').waitFor();
    }, 120_000);

    it('keeps AA contrast in the dark colour scheme, and the first Tab reaches a visible skip link', async () => {
      await page.emulateMedia({ colorScheme: 'dark' });
      const user = await newUser();
      const agentId = await newAgent(user);
      fake.replyText('Dark mode works.');
      await signIn(user, `#/agents/${agentId}/chat`);
      await send('Hello');
      await storedAnswer('Dark mode works.').waitFor();
      // After a reload, focus starts at the top of the document: the first Tab lands on the skip link.
      await page.reload();
      await storedAnswer('Dark mode works.').waitFor();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to content');
      expect(await focusIsVisible(page)).toBe(true);
      await screenshot(page, '15-dark-skip-link');
      await expectAccessible('dark chat');
    }, 120_000);
  });
});
