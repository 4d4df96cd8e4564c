import { expect, type Page } from '@playwright/test';
import { deflateSync } from 'node:zlib';
import { ADMIN_PASSWORD, hydrated, importActiveUser, open, signIn, state, test } from './support';

// Issue 5's avatar stories: a person uploads (file picker and drag and drop), sees, replaces
// and removes their picture on the account page; an admin does the same on the user page; a
// file that is not a picture is refused with a clear message and changes nothing.
test.describe.configure({ mode: 'serial' });

const password = 'Pebble-orchard-violin-73';

/** A PNG of one colour, built here so the test needs no image files. */
function png(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The picture shown in the avatar editor (an image, or the initials). */
function editorPicture(page: Page) {
  return page.locator('.avatar-editor .avatar.large');
}

async function pickFile(page: Page, name: string, mimeType: string, buffer: Buffer): Promise<void> {
  await page.locator('#avatar-file').setInputFiles({ name, mimeType, buffer });
}

async function dropFile(page: Page, name: string, mimeType: string, buffer: Buffer): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ bytes, name, mimeType }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], name, { type: mimeType }));
      return transfer;
    },
    { bytes: [...buffer], name, mimeType },
  );
  await page.dispatchEvent('.drop-zone', 'dragover', { dataTransfer });
  await page.dispatchEvent('.drop-zone', 'drop', { dataTransfer });
}

/** Checks that the picture's address serves a JPEG the browser may cache for good. */
async function expectServedPicture(page: Page): Promise<string> {
  const src = await editorPicture(page).getAttribute('src');
  expect(src).toMatch(/\/assets\/v1\/\d+\/[0-9a-f]{64}\.jpg$/);
  const response = await page.request.get(src!);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('image/jpeg');
  expect(response.headers()['x-content-type-options']).toBe('nosniff');
  expect(response.headers()['cache-control']).toContain('immutable');
  return src!;
}

test('an admin imports a user', async ({ page }) => {
  await signIn(page, state().adminUsername, ADMIN_PASSWORD);
  await importActiveUser(page, { username: 'frida', firstName: 'Frida', lastName: 'Kahlo', password });
});

test('a user uploads, replaces and removes their picture', async ({ page }) => {
  await signIn(page, 'frida', password);
  await expect(page).toHaveURL(/\/account$/);
  await expect(editorPicture(page)).toHaveText('FK');

  await pickFile(page, 'me.png', 'image/png', png(300, 200, [200, 40, 40]));
  await expect(page.getByText('The new picture is saved.')).toBeVisible();
  const first = await expectServedPicture(page);

  // A file that is not a picture is refused, and the picture stays.
  await pickFile(page, 'logo.svg', 'image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'));
  await expect(page.locator('#avatar-error')).toHaveText(
    'SVG and other text files are not accepted; choose a PNG, JPEG or WebP image',
  );
  await expect(editorPicture(page)).toHaveAttribute('src', first);

  // Dropped on the drop zone, a new picture replaces the old one, at a new address.
  await dropFile(page, 'new.png', 'image/png', png(120, 120, [40, 40, 200]));
  await expect(page.getByText('The new picture is saved.')).toBeVisible();
  const second = await expectServedPicture(page);
  expect(second).not.toBe(first);
  await expect.poll(async () => (await page.request.get(first)).status()).toBe(404);

  // After a reload the picture is still there.
  await open(page, '/account');
  await expect(editorPicture(page)).toHaveAttribute('src', second);

  await page.getByRole('button', { name: 'Remove picture' }).click();
  await expect(page.getByText('The picture is removed.')).toBeVisible();
  await expect(editorPicture(page)).toHaveText('FK');
  expect((await page.request.get(second)).status()).toBe(404);
});

test('an admin sets and removes a user\'s picture on the user page', async ({ page }) => {
  await signIn(page, state().adminUsername, ADMIN_PASSWORD);
  await open(page, '/admin/users');
  await page.getByRole('searchbox', { name: 'Search by name, username or email' }).fill('frida');
  await page.getByRole('row').filter({ hasText: 'frida@example.com' }).getByRole('link', { name: 'frida' }).click();
  await expect(page.getByRole('heading', { name: 'Frida Kahlo' })).toBeVisible();
  await hydrated(page);

  await pickFile(page, 'portrait.png', 'image/png', png(64, 64, [30, 160, 60]));
  await expect(page.getByText('The new picture is saved.')).toBeVisible();
  const src = await expectServedPicture(page);
  // The heading shows it too.
  await expect(page.locator('.heading-row img.avatar')).toHaveAttribute('src', src);

  // The user list shows the thumbnail, and sorts and filters.
  await open(page, '/admin/users');
  const fridaRow = page.getByRole('row').filter({ hasText: 'frida@example.com' });
  await expect(fridaRow.locator('img.avatar')).toHaveAttribute('src', src);
  await page.getByRole('button', { name: 'Display name' }).click();
  await expect(page.getByRole('columnheader', { name: 'Display name' })).toHaveAttribute('aria-sort', 'ascending');
  const names = async () => page.locator('table.users tbody tr td:nth-child(2)').allInnerTexts();
  await expect.poll(async () => {
    const shown = await names();
    return shown.join('|') === [...shown].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())).join('|');
  }).toBe(true);
  await page.getByRole('button', { name: 'Display name' }).click();
  await expect(page.getByRole('columnheader', { name: 'Display name' })).toHaveAttribute('aria-sort', 'descending');
  await page.getByLabel('State').selectOption({ label: 'Active' });
  await expect(page.locator('.pager')).toBeVisible();
  const states = await page.locator('table.users tbody tr td:nth-child(4)').allInnerTexts();
  expect(states.length).toBeGreaterThan(1);
  expect(new Set(states)).toEqual(new Set(['Active']));
  await fridaRow.getByRole('link', { name: 'frida' }).click();
  await expect(page.getByRole('heading', { name: 'Frida Kahlo' })).toBeVisible();
  await hydrated(page);

  await page.getByRole('button', { name: 'Remove picture' }).click();
  await expect(page.getByText('The picture is removed.')).toBeVisible();
  await expect(editorPicture(page)).toHaveText('FK');
  // The history lists the changes with who made them.
  const history = page.getByRole('region', { name: 'History' }).first();
  await expect(history.getByRole('row').nth(1)).toContainText('Picture removed');
  await expect(history.getByRole('row').nth(1)).toContainText(state().adminUsername);
  await expect(history).toContainText('Account created');

  // The person sees the change on their own page.
  const frida = await (await page.context().browser()!.newContext()).newPage();
  await signIn(frida, 'frida', password);
  await expect(editorPicture(frida)).toHaveText('FK');
});
