import { expect, type Browser, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { ADMIN_PASSWORD, hydrated, importActiveUser, open, signIn, state, test } from './support';

// Issue 4's browser stories, with Chromium's virtual authenticator: a user enrols an
// authenticator app (the code is computed here from the secret the page shows), a security
// key and a passkey, and signs in with each; a registration link registers a passkey in a
// fresh browser; an admin removes every factor and sign-in stops asking for (or accepting) it.
test.describe.configure({ mode: 'serial' });

const password = 'Quartz-lantern-meadow-58';

/** RFC 6238 with SHA-1, 6 digits, 30 s steps, `offset` steps from now. */
function totp(base32Secret: string, offset = 0): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of base32Secret.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + offset));
  const mac = createHmac('sha1', key).update(counter).digest();
  const start = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(start) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

type Authenticator = { remove: () => Promise<void> };

/** Attaches a virtual authenticator to the page: a USB security key or a built-in passkey store. */
async function addAuthenticator(page: Page, kind: 'security-key' | 'passkey'): Promise<Authenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options:
      kind === 'security-key'
        ? { protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: false, automaticPresenceSimulation: true }
        : { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { remove: () => cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId }).then(() => undefined) };
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin\?signed_out=1$/);
  await hydrated(page);
}

/** The password step of a sign-in that continues with a second factor. */
async function passwordStep(page: Page): Promise<void> {
  await open(page, '/signin');
  await page.getByRole('textbox', { name: 'Username or email', exact: true }).fill('ada');
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/signin\/second-factor$/);
  await hydrated(page);
}

async function adminOnAda(browser: Browser): Promise<Page> {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, state().adminUsername, ADMIN_PASSWORD);
  await open(admin, '/admin/users');
  await admin.getByRole('searchbox', { name: 'Search by name, username or email' }).fill('ada');
  await admin.getByRole('row').filter({ hasText: 'ada@example.com' }).getByRole('link', { name: 'ada' }).click();
  await expect(admin.getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible();
  await hydrated(admin);
  return admin;
}

test('an admin imports an active user', async ({ page }) => {
  await signIn(page, state().adminUsername, ADMIN_PASSWORD);
  await importActiveUser(page, { username: 'ada', firstName: 'Ada', lastName: 'Lovelace', password });
});

test('a user enrols every factor, signs in with each, and an admin removes them', async ({ page, browser }) => {
  test.setTimeout(240_000);
  let secret = '';

  await test.step('enrol an authenticator app from the displayed secret', async () => {
    await signIn(page, 'ada', password);
    await expect(page).toHaveURL(/\/account$/);
    const app = page.getByRole('region', { name: 'Authenticator app' });
    await app.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await expect(app.getByRole('img', { name: /QR code/ })).toBeVisible();
    secret = (await app.locator('#totp-secret').innerText()).trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await app.getByRole('textbox', { name: 'Code from the app', exact: true }).fill('000000');
    await app.getByRole('button', { name: 'Confirm' }).click();
    await expect(app.getByText('The code is wrong')).toBeVisible();
    await app.getByRole('textbox', { name: 'Code from the app', exact: true }).fill(totp(secret));
    await app.getByRole('button', { name: 'Confirm' }).click();
    await expect(app.getByText('Your authenticator app is set up.')).toBeVisible();
  });

  await test.step('sign in with password and authenticator code', async () => {
    await signOut(page);
    await passwordStep(page);
    // Until the second step is done, nothing else opens.
    await open(page, '/account');
    await expect(page).toHaveURL(/\/signin\/second-factor$/);
    await hydrated(page);
    // The confirming code was used; the next step's code is fresh.
    await page.getByRole('textbox', { name: 'Six-digit code from your app', exact: true }).fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page).toHaveURL(/\/account$/);
    await hydrated(page);
  });

  await test.step('register a security key and sign in with password plus key', async () => {
    const key = await addAuthenticator(page, 'security-key');
    const keys = page.getByRole('region', { name: 'Security keys' });
    await keys.getByRole('textbox', { name: 'Name', exact: true }).fill('Blue key');
    await keys.getByRole('button', { name: 'Add security key' }).click();
    await expect(keys.getByText('Your security key “Blue key” is added.')).toBeVisible();
    await expect(keys.getByRole('listitem')).toContainText(['Blue key']);
    // Rename it.
    await keys.getByRole('button', { name: 'Rename Blue key' }).click();
    await keys.getByRole('textbox', { name: /New name for/ }).fill('Yellow key');
    await keys.getByRole('button', { name: 'Save name' }).click();
    await expect(keys.getByRole('listitem')).toContainText(['Yellow key']);

    await signOut(page);
    await passwordStep(page);
    await expect(page.getByRole('region', { name: 'Authenticator app' })).toBeVisible();
    await page.getByRole('button', { name: 'Use my security key' }).click();
    await expect(page).toHaveURL(/\/account$/);
    await hydrated(page);
    await expect(page.getByRole('region', { name: 'Security keys' })).not.toContainText('last used never');
    await key.remove();
  });

  await test.step('register a passkey and sign in without a password', async () => {
    const passkeys = await addAuthenticator(page, 'passkey');
    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByRole('textbox', { name: 'Name', exact: true }).fill('Laptop');
    await section.getByRole('button', { name: 'Add passkey' }).click();
    await expect(section.getByText('Your passkey “Laptop” is added.')).toBeVisible();
    // Signed out, the sign-in form offers the passkey in the username field's autofill
    // (conditional mediation); the virtual authenticator picks it at once, as a person would
    // from the list, and that alone signs in.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/account$/);
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'My account' })).toBeVisible();
    await expect(section.getByRole('listitem').filter({ hasText: 'Laptop' })).not.toContainText('last used never');
    await passkeys.remove();
  });

  const admin = await adminOnAda(browser);
  const factors = admin.getByRole('region', { name: 'Second factors and passkeys' });

  let linked: Page;
  await test.step('a registration link registers a passkey in a fresh browser', async () => {
    await factors.getByRole('button', { name: 'Create passkey registration link' }).click();
    await expect(factors.getByRole('img', { name: /QR code of the passkey registration link/ })).toBeVisible();
    const link = (await factors.locator('#passkey-link').innerText()).trim();
    expect(link).toContain('/passkey/register?userID=');

    linked = await (await browser.newContext()).newPage();
    // This browser stands for one without passkey autofill, so its sign-in uses the button.
    await linked.addInitScript(() => {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
    await addAuthenticator(linked, 'passkey');
    await open(linked, link);
    await linked.getByRole('textbox', { name: 'Name for this passkey', exact: true }).fill('Tablet');
    await linked.getByRole('button', { name: 'Register passkey' }).click();
    await expect(linked.getByText('Your passkey is registered.')).toBeVisible();
    await linked.getByRole('link', { name: 'Go to sign-in' }).click();
    await hydrated(linked);
    await linked.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(linked).toHaveURL(/\/account$/);
    await hydrated(linked);
    await signOut(linked);
    // The link was used up.
    await open(linked, link);
    await linked.getByRole('button', { name: 'Register passkey' }).click();
    await expect(linked.getByRole('alert')).toBeVisible();
  });

  await test.step('the admin removes every factor; sign-in no longer asks for or accepts them', async () => {
    await admin.reload();
    await hydrated(admin);
    await expect(factors.getByText('Tablet')).toBeVisible();
    await factors.getByRole('button', { name: 'Remove the authenticator app' }).click();
    await expect(factors.getByText('Removed the authenticator app.')).toBeVisible();
    await factors.getByRole('button', { name: 'Remove security key “Yellow key”' }).click();
    await expect(factors.getByText('No security keys.')).toBeVisible();
    await factors.getByRole('button', { name: 'Remove passkey “Laptop”' }).click();
    await expect(factors.getByText('Removed passkey “Laptop”.')).toBeVisible();
    await factors.getByRole('button', { name: 'Remove passkey “Tablet”' }).click();
    await expect(factors.getByText('No passkeys.')).toBeVisible();

    // The password alone signs in now.
    await signOut(page);
    await page.getByRole('textbox', { name: 'Username or email', exact: true }).fill('ada');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page).toHaveURL(/\/account$/);
    await hydrated(page);
    await expect(page.getByRole('region', { name: 'Authenticator app' })).toContainText('Set up an authenticator app');

    // The removed passkey still sits in the other browser's authenticator, but is refused.
    await open(linked, '/signin');
    await linked.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(linked.getByRole('alert')).toContainText('could not be verified');
    await expect(linked).toHaveURL(/\/signin/);
  });
});
