import { expect, type Browser, type Page } from '@playwright/test';
import { ADMIN_PASSWORD, hydrated, importActiveUser, open, signIn, state, test, watchErrors } from './support';

// Issue 5's languages: the UI speaks English and German, following the language picked with the
// switch in the top bar, else the person's preferred language, else the browser's.
test.describe.configure({ mode: 'serial' });

const password = 'Tulip-granite-ferry-58';

/** A fresh browser whose Accept-Language is `locale`. */
async function browserIn(browser: Browser, locale: string): Promise<Page> {
  const page = await (await browser.newContext({ locale })).newPage();
  watchErrors(page);
  return page;
}

/** Signs in through the form by its field ids, whatever language it is in. */
async function signInById(page: Page, login: string, secret: string): Promise<void> {
  await open(page, '/signin');
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(secret);
  await page.locator('form button[type="submit"]').first().click();
}

test('an admin imports a user who prefers German', async ({ page }) => {
  await signIn(page, state().adminUsername, ADMIN_PASSWORD);
  await importActiveUser(page, { username: 'grete', firstName: 'Grete', lastName: 'Hermann', password, preferredLanguage: 'de-DE' });
});

test("a German browser gets German pages, and server errors in German", async ({ browser }) => {
  const page = await browserIn(browser, 'de-DE');
  await open(page, '/signin');
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.getByRole('button', { name: 'Anmelden', exact: true })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Passwort', exact: true })).toBeVisible();
  // The server words the failure in English; the page shows it in German.
  await signInById(page, 'grete', 'not-her-password');
  await expect(page.getByRole('alert')).toContainText('Benutzername oder Passwort ist falsch');
  await expect(page.getByRole('alert')).not.toContainText('wrong');
});

test('the switch changes the language and remembers it', async ({ browser }) => {
  const page = await browserIn(browser, 'de-DE');
  await open(page, '/signin');
  const toEnglish = page.getByRole('button', { name: 'English', exact: true });
  await expect(toEnglish).toHaveAttribute('lang', 'en');
  await toEnglish.click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  // Remembered across pages, over the browser's German.
  await open(page, '/reset-password');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('button', { name: 'Deutsch', exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await hydrated(page);
  await open(page, '/signin');
  await expect(page.getByRole('button', { name: 'Anmelden', exact: true })).toBeVisible();
});

test("a signed-in person's preferred language wins over an English browser", async ({ browser }) => {
  const page = await browserIn(browser, 'en-US');
  await open(page, '/signin');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await signInById(page, 'grete', password);
  await expect(page).not.toHaveURL(/\/signin/);
  await open(page, '/account');
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.getByRole('link', { name: 'Mein Konto' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Abmelden' })).toBeVisible();
  // A German form with a field error from the server.
  const nickname = page.locator('#nick_name');
  // Past the input's own limit, as a script could send it.
  await nickname.evaluate((input) => input.removeAttribute('maxlength'));
  await nickname.fill('x'.repeat(201));
  await nickname.press('Enter');
  await expect(page.locator('#nick_name-error')).toHaveText('Ist zu lang');
  // A successful save, confirmed in German; the page kept the change.
  await nickname.fill('Gretchen');
  await nickname.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Profil gespeichert.' })).toBeVisible();
  await open(page, '/account');
  await expect(nickname).toHaveValue('Gretchen');
});

test('the footer leads to the API page, whose OpenAPI document the server answers', async ({ browser }) => {
  const page = await browserIn(browser, 'de-DE');
  await open(page, '/signin');
  await hydrated(page);
  await page.getByRole('contentinfo').getByRole('link', { name: 'REST-API und OpenAPI-Dokument' }).click();
  await expect(page).toHaveURL(/\/api-docs$/);
  await expect(page.getByRole('heading', { level: 1, name: 'REST-API' })).toBeVisible();
  const operations = page.getByRole('region', { name: 'Operationen' });
  await expect(operations).toContainText('/users/human/_import');
  const href = await page.getByRole('link', { name: /openapi\.json$/ }).getAttribute('href');
  expect(href).toBeTruthy();
  const reply = await page.request.get(href!);
  expect(reply.status()).toBe(200);
  expect(reply.headers()['content-type']).toContain('application/json');
  const document = await reply.json();
  expect(document.openapi).toMatch(/^3\./);
  expect(document.servers[0].url).toMatch(/\/management\/v1$/);
  expect(Object.keys(document.paths)).toContain('/users/human/_import');
});
