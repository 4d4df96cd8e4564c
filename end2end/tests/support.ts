import { test as base, expect, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STATE_FILE, type E2eState } from '../global-setup';

/** The password the first spec gives the bootstrapped admin; later specs sign in with it. */
export const ADMIN_PASSWORD = 'Harbour-lights-at-dusk-2026';

/** Facts about the server global-setup started. */
export function state(): E2eState {
  return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
}

/** Errors the browser reported on any page opened with `open` during the current test. */
const browserErrors: string[] = [];
const watched = new WeakSet<Page>();

/**
 * Records uncaught exceptions and console errors of a page: a hydration mismatch or a panic in
 * the WASM client leaves server-rendered HTML that looks fine but no longer reacts.
 */
export function watchErrors(page: Page): void {
  if (watched.has(page)) return;
  watched.add(page);
  page.on('pageerror', (error) => browserErrors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) {
      browserErrors.push(`${page.url()}: ${message.text().split('\n')[0]}`);
    }
  });
}

/** Playwright's `test`, failing any test during which a watched page reported an error. */
export const test = base.extend<{ noBrowserErrors: void }>({
  noBrowserErrors: [
    async ({ page }, use) => {
      browserErrors.length = 0;
      watchErrors(page);
      await use();
      expect(browserErrors, 'errors reported by the browser').toEqual([]);
    },
    { auto: true },
  ],
});

/** Opens a page and waits until the WASM client has hydrated it. */
export async function open(page: Page, url: string): Promise<void> {
  watchErrors(page);
  await page.goto(url);
  await hydrated(page);
}

/** Waits until the page is interactive. */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
}

/**
 * Signs in through the sign-in form and waits for the page that follows (a successful sign-in
 * loads a new page); with `failing`, waits for the error instead.
 */
export async function signIn(
  page: Page,
  login: string,
  password: string,
  options: { failing?: boolean } = {},
): Promise<void> {
  await open(page, '/signin');
  await page.getByRole('textbox', { name: 'Username or email', exact: true }).fill(login);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  if (options.failing) {
    await expect(page.getByRole('alert')).toContainText('The username or password is wrong');
  } else {
    await expect(page).not.toHaveURL(/\/signin/);
    await hydrated(page);
  }
}

/** The newest message file in the outbox that is addressed to `recipient` and uses `template`. */
export async function waitForMessage(recipient: string, template: string): Promise<string> {
  const { outboxDir } = state();
  let found: string | undefined;
  await expect
    .poll(
      () => {
        if (!fs.existsSync(outboxDir)) return undefined;
        const files = fs
          .readdirSync(outboxDir)
          .filter((name) => name.endsWith('.txt'))
          .sort();
        found = files
          .map((name) => fs.readFileSync(path.join(outboxDir, name), 'utf8'))
          .reverse()
          .find((text) => text.startsWith(`To: ${recipient}\n`) && text.includes(`Template: ${template}\n`));
        return found;
      },
      { message: `a ${template} message to ${recipient}`, timeout: 15_000 },
    )
    .toBeTruthy();
  return found!;
}

/** The first link in a message. */
export function linkIn(message: string): string {
  const match = message.match(/https?:\/\/\S+/);
  if (!match) throw new Error(`no link in message:\n${message}`);
  return match[0];
}

/** A user for `importActiveUser`. */
export interface ActiveUser {
  username: string;
  firstName: string;
  lastName: string;
  password: string;
  preferredLanguage?: string;
}

/**
 * Imports, as the signed-in admin, an active user: verified email `{username}@example.com` and a
 * password that need not change at first sign-in. Opens the import form unless it is open.
 */
export async function importActiveUser(page: Page, user: ActiveUser): Promise<void> {
  if (new URL(page.url()).pathname !== '/admin/users/import') {
    await open(page, '/admin/users/import');
  }
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(user.username);
  await page.getByRole('textbox', { name: 'First name', exact: true }).fill(user.firstName);
  await page.getByRole('textbox', { name: 'Last name', exact: true }).fill(user.lastName);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(`${user.username}@example.com`);
  await page.getByLabel('Email is verified').check();
  if (user.preferredLanguage) {
    await page.getByRole('combobox', { name: 'Preferred language' }).fill(user.preferredLanguage);
  }
  await page.getByRole('textbox', { name: 'Initial password', exact: true }).fill(user.password);
  await page.getByLabel('User must change this password at first sign-in').uncheck();
  await page.getByRole('button', { name: 'Import user' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'User imported.' })).toContainText('Active');
}
