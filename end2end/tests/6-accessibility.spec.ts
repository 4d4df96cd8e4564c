import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { ADMIN_PASSWORD, hydrated, importActiveUser, open, signIn, state, test } from './support';

// Issue 5's accessibility bar: every page passes an axe-core scan with no serious or critical
// violation (WCAG 2.1 A/AA rules), sign-in and a profile edit work by keyboard alone, and the
// pages fit a phone-sized screen without sideways scrolling.
test.describe.configure({ mode: 'serial' });

const password = 'Meadow-quill-lantern-64';

async function scan(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help}\n    ${violation.nodes
      .slice(0, 3)
      .map((node) => node.target.join(' '))
      .join('\n    ')}`);
  expect.soft(serious, `axe on ${label}`).toEqual([]);
}

/** Opens each page and scans it. */
async function scanAll(page: Page, paths: string[]): Promise<void> {
  for (const path of paths) {
    await open(page, path);
    await scan(page, path);
  }
}

/** RFC 6238 with SHA-1, 6 digits, 30 s steps. */
function totp(base32Secret: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of base32Secret.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const start = mac[mac.length - 1] & 0x0f;
  return ((mac.readUInt32BE(start) & 0x7fffffff) % 1_000_000).toString().padStart(6, '0');
}

let userPath = '';

test('pages for everyone pass the scan', async ({ page }) => {
  await scanAll(page, [
    '/signin',
    '/reset-password',
    '/reset-password?userID=1&code=ABCDEF',
    '/init?userID=1&code=ABCDEF',
    '/verify-email?userID=1&code=ABCDEF',
    '/passkey/register?userID=1&orgID=1&codeID=1&code=abcdefabcdef',
    '/api-docs',
    '/no-such-page',
  ]);
});

test('admin pages pass the scan', async ({ page }) => {
  await signIn(page, state().adminUsername, ADMIN_PASSWORD);
  await open(page, '/admin/users/import');
  await scan(page, '/admin/users/import');
  await importActiveUser(page, { username: 'alan', firstName: 'Alan', lastName: 'Turing', password });
  userPath = new URL(await page.getByRole('link', { name: 'Open the new user' }).evaluate((link: HTMLAnchorElement) => link.href)).pathname;
  // A form with errors is scanned too.
  await page.getByRole('button', { name: 'Import user' }).click();
  await expect(page.getByText('Username is empty').or(page.locator('.field-error:not(:empty)')).first()).toBeVisible();
  await scan(page, '/admin/users/import with field errors');
  await scanAll(page, ['/admin/users', userPath, '/admin/orgs', '/admin/service-accounts', '/api-docs']);
});

test('account pages pass the scan, second-factor step included', async ({ page }) => {
  await signIn(page, 'alan', password);
  await scanAll(page, ['/change-password', '/account']);
  const app = page.getByRole('region', { name: 'Authenticator app' });
  await app.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(app.getByRole('img', { name: /QR code/ })).toBeVisible();
  await scan(page, '/account while setting up an app');
  const secret = (await app.locator('#totp-secret').innerText()).trim();
  await app.getByRole('textbox', { name: 'Code from the app', exact: true }).fill(totp(secret));
  await app.getByRole('button', { name: 'Confirm' }).click();
  await expect(app.getByText('Your authenticator app is set up.')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
  await hydrated(page);
  await page.getByRole('textbox', { name: 'Username or email', exact: true }).fill('alan');
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/signin\/second-factor$/);
  await hydrated(page);
  await scan(page, '/signin/second-factor');
});

test('sign-in and a profile edit work by keyboard alone', async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await open(page, '/api-docs');
  // The first Tab reaches the skip link, which moves the focus to the content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
  await open(page, '/signin');
  const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
  /** Presses Tab until the element with `id` has the focus. */
  async function tabTo(id: string): Promise<void> {
    for (let presses = 0; presses < 60; presses++) {
      if ((await focused()) === id) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached #${id}`);
  }
  // The sign-in page starts in the username field.
  expect(await focused()).toBe('login');
  await page.keyboard.type(state().adminUsername);
  await page.keyboard.press('Tab');
  expect(await focused()).toBe('password');
  await page.keyboard.type(ADMIN_PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page).not.toHaveURL(/\/signin/);
  await hydrated(page);
  await open(page, '/account');
  await tabTo('nick_name');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('Keys');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Profile saved.')).toBeVisible();
  await open(page, '/account');
  await expect(page.locator('#nick_name')).toHaveValue('Keys');
});

test('pages fit a phone-sized screen', async ({ browser }) => {
  const page = await (await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true })).newPage();
  const fits = async (label: string) => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect.soft(overflow, `${label} scrolls sideways`).toBeLessThanOrEqual(0);
  };
  await open(page, '/signin');
  await fits('/signin');
  await signIn(page, state().adminUsername, ADMIN_PASSWORD);
  for (const path of ['/admin/users', userPath, '/admin/users/import', '/account', '/api-docs', '/admin/service-accounts']) {
    await open(page, path);
    await fits(path);
    await scan(page, `${path} on a phone`);
  }
});

test('German pages pass the scan too', async ({ browser }) => {
  const page = await (await browser.newContext({ locale: 'de-DE' })).newPage();
  await scanAll(page, ['/reset-password', '/init?userID=1&code=ABCDEF', '/signin']);
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  // Signed in by the fields' ids, whatever their German labels.
  await hydrated(page);
  await page.locator('#login').fill(state().adminUsername);
  await page.locator('#password').fill(ADMIN_PASSWORD);
  await page.locator('form button[type="submit"]').first().click();
  await expect(page).not.toHaveURL(/\/signin/);
  await scanAll(page, ['/account', '/admin/users', userPath, '/admin/users/import']);
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
});
