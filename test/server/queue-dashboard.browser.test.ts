// The queue dashboard as a person sees it: headless Chromium (Debian's package, driven by playwright-core) logs in
// with basic auth and finds the jobs and acks queues. Skipped only off CI when /usr/bin/chromium is missing.
import { existsSync } from 'node:fs';
import { jest } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';
import { startTestWeb, type TestWeb } from '../app/support/web.js';
import { useTestRedis } from '../support/redis.js';

jest.setTimeout(40_000);

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'correct-horse-battery-staple';
// Without the background-networking flags Chromium keeps dialling out, and this machine refuses it.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const available = existsSync(CHROMIUM) || process.env.CI !== undefined;
if (!available)
  console.warn(
    `Skipping the queue dashboard browser test: ${CHROMIUM} is missing (apt-get install chromium). CI installs it and runs the test.`,
  );

(available ? describe : describe.skip)('queue dashboard in Chromium', () => {
  const redis = useTestRedis(import.meta.url);
  let web: TestWeb;
  let browser: Browser;

  beforeAll(async () => {
    web = await startTestWeb({
      redisUrl: redis().url,
      prefix: redis().prefix,
      env: { ADMIN_PASSWORD: PASSWORD },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('shows the jobs and acks queues once logged in as admin', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'admin', password: PASSWORD },
    });
    const page = await context.newPage();
    // Only the dashboard itself: web fonts and the like would wait on a network this machine does not have.
    await page.route(
      (url) => url.origin !== web.url,
      (route) => route.abort(),
    );

    const response = await page.goto(`${web.url}/admin/queues`);
    await page.getByText('jobs', { exact: true }).first().waitFor({ timeout: 15_000 });
    const text = await page.locator('body').innerText();
    await context.close();

    expect(response?.status()).toBe(200);
    expect(text).toContain('Claw queues');
    expect(text).toMatch(/\bjobs\b/);
    expect(text).toMatch(/\backs\b/);
  });

  it('refuses the page to wrong credentials', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'admin', password: 'not-the-password' },
    });
    const page = await context.newPage();

    const response = await page.goto(`${web.url}/admin/queues`);
    const text = await page.locator('body').innerText();
    await context.close();

    expect(response?.status()).toBe(401);
    expect(text).toContain('Authentication required');
    expect(text).not.toContain('Claw queues');
  });
});
