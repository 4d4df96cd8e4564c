import * as fs from 'node:fs';
import { expect, request } from '@playwright/test';
import { startRoster, type StartedRoster } from '../global-setup';
import { hydrated, test } from './support';

// Sensitive changes need a recent sign-in (security.md: at most 10 minutes). This spec starts
// its own Roster whose window is 5 seconds, so the browser meets the re-authentication dialog
// without waiting ten minutes, and checks that confirming renews the session token.
test.describe.configure({ mode: 'serial' });

const port = Number(process.env.ROSTER_E2E_PORT ?? '3100') + 1;
const baseUrl = `http://localhost:${port}`;
const adminPassword = 'Copper-kettle-evening-93';
let server: StartedRoster | undefined;

test.beforeAll(async () => {
  server = await startRoster({
    port,
    env: { ROSTER_ADMIN_PASSWORD: adminPassword, ROSTER_REAUTH_WINDOW_SECS: '5' },
  });
});

test.afterAll(() => {
  server?.child.kill();
  if (server && !process.env.ROSTER_E2E_KEEP) fs.rmSync(server.dataDir, { recursive: true, force: true });
});

test('a stale sign-in asks for the password again, then the change goes through under a new session', async ({ page, context }) => {
  await page.goto(`${baseUrl}/signin`);
  await hydrated(page);
  await page.getByRole('textbox', { name: 'Username or email', exact: true }).fill('admin');
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).not.toHaveURL(/\/signin/);
  const sessionCookie = async () =>
    (await context.cookies(baseUrl)).find((cookie) => cookie.name === 'roster_session')?.value;
  const before = await sessionCookie();
  expect(before).toBeTruthy();

  await page.goto(`${baseUrl}/account`);
  await hydrated(page);
  // Past the window.
  await page.waitForTimeout(6_000);
  const app = page.getByRole('region', { name: 'Authenticator app' });
  await app.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
  await expect(dialog).toBeVisible();
  // A wrong password is refused in the dialog and changes nothing.
  await dialog.getByRole('textbox', { name: 'Your password' }).fill('not-the-password');
  await dialog.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(dialog.getByRole('alert')).toBeVisible();
  expect(await sessionCookie()).toBe(before);
  await dialog.getByRole('textbox', { name: 'Your password' }).fill(adminPassword);
  await dialog.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(app.getByRole('img', { name: /QR code/ })).toBeVisible();
  await expect(dialog).toBeHidden();

  // The session continues under a new token; the old one signs in nothing.
  const after = await sessionCookie();
  expect(after).toBeTruthy();
  expect(after).not.toBe(before);
  // A separate client, so only the old cookie is sent.
  const api = await request.newContext();
  const old = await api.post(`${baseUrl}/api/current_user`, {
    data: {},
    headers: { Cookie: `roster_session=${before}`, Origin: baseUrl },
  });
  expect(old.status()).toBe(200);
  expect(await old.json()).toBeNull();
  await api.dispose();
});
