import { expect } from '@playwright/test';
import { ADMIN_PASSWORD, hydrated, importActiveUser, linkIn, open, signIn, state, test, waitForMessage } from './support';

// Issue 3's browser stories: a user confirms a changed email from the mail, verifies a phone
// with the SMS code, and resets a forgotten password from the mail; an admin resends an
// invitation and only the new code works. Messages are read from the file sink.
test.describe.configure({ mode: 'serial' });

const password = 'Willow-kettle-harbor-31';

test('an admin imports an active user', async ({ page }) => {
  await signIn(page, state().adminUsername, ADMIN_PASSWORD);
  await expect(page).toHaveURL(/\/admin\/users$/);
  await importActiveUser(page, { username: 'linus', firstName: 'Linus', lastName: 'Pauling', password });
});

test('a user confirms a changed email from the mail', async ({ page }) => {
  await signIn(page, 'linus', password);
  await expect(page).toHaveURL(/\/account$/);
  await hydrated(page);
  await page.getByRole('textbox', { name: 'New email address', exact: true }).fill('linus.p@example.com');
  await page.getByRole('button', { name: 'Change email' }).click();
  await expect(page.getByText('We sent a confirmation link to linus.p@example.com.')).toBeVisible();
  await expect(page.getByText('Waiting for you to confirm linus.p@example.com')).toBeVisible();
  // The old address is told, the new one gets the link.
  await waitForMessage('linus@example.com', 'email_change_notice');
  const mail = await waitForMessage('linus.p@example.com', 'verify_email');
  await open(page, linkIn(mail));
  await page.getByRole('button', { name: 'Confirm email address' }).click();
  await expect(page.getByText('Your email address is confirmed.')).toBeVisible();
  await open(page, '/account');
  const email = page.getByRole('region', { name: 'Email' });
  await expect(email.getByText('linus.p@example.com', { exact: true })).toBeVisible();
  await expect(email.locator('.badge').first()).toHaveText('verified');
});

test('a user verifies a phone with the SMS code', async ({ page }) => {
  await signIn(page, 'linus', password);
  await expect(page).toHaveURL(/\/account$/);
  await hydrated(page);
  const phone = page.getByRole('region', { name: 'Phone' });
  await phone.getByRole('textbox', { name: 'Phone number', exact: true }).fill('+41 79 123 45 67');
  await phone.getByRole('button', { name: 'Save phone number' }).click();
  await expect(phone.getByText('We sent a code to +41791234567.')).toBeVisible();
  const sms = await waitForMessage('+41791234567', 'verify_phone');
  const code = sms.match(/code is ([A-Z0-9]{6})/)![1];
  await phone.getByRole('textbox', { name: 'Code from the SMS', exact: true }).fill('AAAAAA');
  await phone.getByRole('button', { name: 'Confirm phone' }).click();
  await expect(phone.getByText('The code is wrong or has expired')).toBeVisible();
  await phone.getByRole('textbox', { name: 'Code from the SMS', exact: true }).fill(code);
  await phone.getByRole('button', { name: 'Confirm phone' }).click();
  await expect(phone.getByText('Your phone number is confirmed.')).toBeVisible();
  await expect(phone.locator('.badge').first()).toHaveText('verified');
});

test('a user resets a forgotten password from the mail', async ({ page }) => {
  const newPassword = 'Copper-meadow-lantern-58';
  await open(page, '/signin');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await hydrated(page);
  await page.getByRole('textbox', { name: 'Username or email', exact: true }).fill('linus.p@example.com');
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText('If an account with that username or email exists')).toBeVisible();
  const mail = await waitForMessage('linus.p@example.com', 'password_reset');
  await open(page, linkIn(mail));
  await page.getByRole('textbox', { name: 'New password', exact: true }).fill(newPassword);
  await page.getByRole('textbox', { name: 'Repeat the new password', exact: true }).fill(newPassword);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page).toHaveURL(/\/signin\?reset=1$/);
  await expect(page.getByText('Your new password is set.')).toBeVisible();
  await signIn(page, 'linus', password, { failing: true });
  await signIn(page, 'linus', newPassword);
  await expect(page).toHaveURL(/\/account$/);
});

test('an admin resends an invitation and only the new code works', async ({ page, browser }) => {
  await signIn(page, state().adminUsername, ADMIN_PASSWORD);
  await open(page, '/admin/users/import');
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill('margaret');
  await page.getByRole('textbox', { name: 'First name', exact: true }).fill('Margaret');
  await page.getByRole('textbox', { name: 'Last name', exact: true }).fill('Hamilton');
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill('margaret@example.com');
  await page.getByRole('button', { name: 'Import user' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'User imported.' })).toBeVisible();
  const first = linkIn(await waitForMessage('margaret@example.com', 'init'));

  await page.getByRole('link', { name: 'Open the new user' }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Send a new invitation' }).click();
  await expect(page.getByText('A new invitation mail is on its way')).toBeVisible();
  let second = first;
  await expect
    .poll(async () => {
      second = linkIn(await waitForMessage('margaret@example.com', 'init'));
      return second;
    })
    .not.toBe(first);
  // The message list shows both invitations.
  await expect(page.getByRole('region', { name: 'Messages' }).first().getByRole('table')).toContainText('Activate your Roster account');

  const invitee = await (await browser.newContext()).newPage();
  await open(invitee, first);
  await invitee.getByRole('textbox', { name: 'New password', exact: true }).fill(password);
  await invitee.getByRole('textbox', { name: 'Repeat the password', exact: true }).fill(password);
  await invitee.getByRole('button', { name: 'Activate account' }).click();
  await expect(invitee.getByText('The code is wrong or has expired')).toBeVisible();
  await open(invitee, second);
  await invitee.getByRole('textbox', { name: 'New password', exact: true }).fill(password);
  await invitee.getByRole('textbox', { name: 'Repeat the password', exact: true }).fill(password);
  await invitee.getByRole('button', { name: 'Activate account' }).click();
  await expect(invitee).toHaveURL(/\/signin\?initialized=1$/);
});
