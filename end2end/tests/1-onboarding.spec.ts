import { expect } from '@playwright/test';
import { ADMIN_PASSWORD as adminPassword, hydrated, linkIn, open, signIn, state, test, waitForMessage } from './support';


// The first-run story of issue 2, on a fresh SQLite database: the admin signs in with the
// printed one-time password and must change it, imports a user with an unverified email, the
// user activates the account from the invitation mail, signs in and edits the profile, and the
// admin sees the change.
test.describe.configure({ mode: 'serial' });

const userPassword = 'Orchard-rain-lantern-77';

test('an admin onboards a user who activates the account and edits the profile', async ({ browser }) => {
  const { adminUsername, adminOneTimePassword } = state();

  const admin = await browser.newPage();
  await signIn(admin, adminUsername, adminOneTimePassword);
  await expect(admin).toHaveURL(/\/change-password$/);
  await expect(admin.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await hydrated(admin);
  await admin.getByRole('textbox', { name: 'Current password', exact: true }).fill(adminOneTimePassword);
  await admin.getByRole('textbox', { name: 'New password', exact: true }).fill(adminPassword);
  await admin.getByRole('textbox', { name: 'Repeat the new password', exact: true }).fill(adminPassword);
  await admin.getByRole('button', { name: 'Change password' }).click();
  await expect(admin).toHaveURL(/\/admin\/users$/);
  await expect(admin.getByRole('heading', { name: 'Users' })).toBeVisible();

  // Import a user with an unverified email through the form.
  await admin.getByRole('link', { name: 'Import user' }).click();
  await expect(admin).toHaveURL(/\/admin\/users\/import$/);
  await hydrated(admin);
  await admin.getByRole('textbox', { name: 'Username', exact: true }).fill('grace.hopper');
  await admin.getByRole('textbox', { name: 'First name', exact: true }).fill('Grace');
  await admin.getByRole('textbox', { name: 'Last name', exact: true }).fill('Hopper');
  await admin.getByRole('combobox', { name: 'Preferred language' }).fill('en-US');
  await admin.getByRole('textbox', { name: 'Email', exact: true }).fill('grace@example.com');
  await admin.getByRole('button', { name: 'Import user' }).click();
  const result = admin.getByRole('status').filter({ hasText: 'User imported.' });
  await expect(result).toBeVisible();
  await expect(result).toContainText('invitation mail queued');
  await expect(result).toContainText('Not yet initialized');

  // The invitation mail's link opens the activation page in the user's own browser.
  const mail = await waitForMessage('grace@example.com', 'init');
  const link = linkIn(mail);
  expect(link.startsWith(`${state().baseUrl}/init?`)).toBeTruthy();
  const userContext = await browser.newContext();
  const user = await userContext.newPage();
  await open(user, link);
  await expect(user.getByRole('heading', { name: 'Activate your account' })).toBeVisible();
  await expect(user.getByRole('textbox', { name: 'Code', exact: true })).not.toHaveValue('');
  // A wrong code first: a clear message, nothing lost.
  const code = await user.getByRole('textbox', { name: 'Code', exact: true }).inputValue();
  await user.getByRole('textbox', { name: 'Code', exact: true }).fill('WRONG1');
  await user.getByRole('textbox', { name: 'New password', exact: true }).fill(userPassword);
  await user.getByRole('textbox', { name: 'Repeat the password', exact: true }).fill(userPassword);
  await user.getByRole('button', { name: 'Activate account' }).click();
  await expect(user.getByText('The code is wrong or has expired')).toBeVisible();
  await user.getByRole('textbox', { name: 'Code', exact: true }).fill(code);
  await user.getByRole('button', { name: 'Activate account' }).click();
  await expect(user).toHaveURL(/\/signin\?initialized=1$/);
  await expect(user.getByText('Your account is ready.')).toBeVisible();

  // The user signs in and edits their own profile.
  await signIn(user, 'grace@example.com', userPassword);
  await expect(user).toHaveURL(/\/account$/);
  await expect(user.getByRole('heading', { name: 'My account' })).toBeVisible();
  await hydrated(user);
  await expect(user.getByRole('textbox', { name: 'Display name', exact: true })).toHaveValue('Grace Hopper');
  await user.getByRole('textbox', { name: 'Nickname', exact: true }).fill('Amazing Grace');
  await user.getByRole('textbox', { name: 'Display name', exact: true }).fill('Rear Admiral Grace Hopper');
  await user.getByRole('button', { name: 'Save profile' }).click();
  await expect(user.getByText('Profile saved.')).toBeVisible();
  // Bad input gets a field error and keeps what was typed.
  await user.getByRole('textbox', { name: 'First name', exact: true }).fill('');
  await user.getByRole('button', { name: 'Save profile' }).click();
  await expect(user.getByText('Given name in profile is empty')).toBeVisible();
  await expect(user.getByRole('textbox', { name: 'Nickname', exact: true })).toHaveValue('Amazing Grace');
  await user.reload();
  await hydrated(user);
  await expect(user.getByRole('textbox', { name: 'First name', exact: true })).toHaveValue('Grace');
  await expect(user.getByRole('textbox', { name: 'Display name', exact: true })).toHaveValue('Rear Admiral Grace Hopper');

  // The admin finds the user and sees the change.
  await open(admin, '/admin/users');
  await admin.getByRole('searchbox', { name: 'Search by name, username or email' }).fill('grace');
  const row = admin.getByRole('row').filter({ hasText: 'grace.hopper' });
  await expect(row).toContainText('Rear Admiral Grace Hopper');
  await expect(row).toContainText('Active');
  await row.getByRole('link', { name: 'grace.hopper' }).click();
  await expect(admin.getByRole('heading', { name: 'Rear Admiral Grace Hopper' })).toBeVisible();
  await hydrated(admin);
  await expect(admin.getByRole('textbox', { name: 'Nickname', exact: true })).toHaveValue('Amazing Grace');
  await expect(admin.getByText('verified', { exact: true })).toBeVisible();
  await userContext.close();
});

test('a plain user sees no admin views and the server refuses them', async ({ page }) => {
  const { baseUrl } = state();
  await open(page, '/admin/users');
  await expect(page).toHaveURL(/\/signin\?next=\/admin\/users$/);
  // One generic message for every sign-in failure.
  await page.getByRole('textbox', { name: 'Username or email', exact: true }).fill('grace.hopper');
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not-her-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('The username or password is wrong');
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(userPassword);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
  // The server refuses her whatever the UI shows, and the refused call changes nothing.
  const refused = await page.request.post('/api/update_user_profile', {
    headers: { Origin: baseUrl },
    data: {
      user_id: '1',
      form: { first_name: 'X', last_name: 'Y', nick_name: '', display_name: 'Z', preferred_language: '', gender: 'Unspecified' },
    },
  });
  expect(refused.status()).toBe(403);
  const list = await page.request.post('/api/list_users', {
    headers: { Origin: baseUrl },
    data: { query: { search: '', after: null, limit: 10 } },
  });
  expect(list.status()).toBe(403);
  // A forged cross-site request is refused before it reaches the session.
  const forged = await page.request.post('/api/update_own_profile', {
    headers: { Origin: 'https://evil.example' },
    data: {
      form: { first_name: 'Hacked', last_name: 'Y', nick_name: '', display_name: 'Z', preferred_language: '', gender: 'Unspecified' },
    },
  });
  expect(forged.status()).toBe(403);
  await open(page, '/account');
  await expect(page.getByRole('textbox', { name: 'First name', exact: true })).toHaveValue('Grace');
});
