import type { Page } from 'playwright-core';

/** Signs `page` in through the sign-in page with `key`, as a person does; resolves once signed in. */
export async function signIn(page: Page, webUrl: string, key: string): Promise<void> {
  await page.goto(`${webUrl}/sign-in`);
  await page.getByTestId('sign-in-key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('viewer-name').waitFor();
}
