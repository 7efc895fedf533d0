import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './axe';
import { launchChromium } from './chromium';
import { closeTest, openInbox, serve, simulateOn, type E2eGateway } from './e2e-gateway';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

let gateway: E2eGateway | null = null;
let page: Page | null = null;
afterEach(async () => {
  await closeTest(page, gateway);
  page = null;
  gateway = null;
});

const SAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../main/whatsapp/sample-media');
const shot = (name: string) => ({ path: path.join(os.tmpdir(), `switchboard-e2e-composer-${name}.png`) });

async function conversationWithCustomer(): Promise<Page> {
  gateway = await serve({ SWITCHBOARD_SANDBOX_DELAY_MS: '100', SWITCHBOARD_SANDBOX_REPLY_RATE: '0', SWITCHBOARD_SANDBOX_FAILURE_RATE: '0' });
  await simulateOn(gateway, ['--text', 'Can you send me the invoice?', '--from', '15557770001', '--name', 'Elena']);
  const opened = await openInbox(browser, gateway);
  page = opened.page;
  await page.getByTestId('conversation').filter({ hasText: 'Elena' }).click();
  await page.locator('[data-testid="message"]').first().waitFor();
  return page;
}

describe('the composer in a real browser', () => {
  it('sends a photo with a caption through the upload path: shown at once from the archive, then its ticks', async () => {
    const inbox = await conversationWithCustomer();
    await inbox.locator('input[type="file"]').setInputFiles([path.join(SAMPLES, 'photo.jpg'), path.join(SAMPLES, 'leaflet.pdf')]);
    await inbox.getByRole('list', { name: 'Attachments' }).filter({ hasText: 'leaflet.pdf' }).waitFor();
    await inbox.getByRole('textbox', { name: 'Reply' }).fill('Here is the label and the leaflet');
    await inbox.screenshot(shot('attachments'));
    await inbox.getByRole('button', { name: 'Send', exact: true }).click();
    const photo = inbox.locator('[data-testid="message"]', { hasText: 'Here is the label and the leaflet' });
    await photo.locator('.media-image img').waitFor();
    await expect.poll(() => photo.locator('.media-image img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 10_000 }).toBe(640);
    await inbox.locator('[data-testid="message"] .file-card', { hasText: 'leaflet.pdf' }).waitFor();
    await photo.locator('.ticks[data-status="read"]').waitFor({ timeout: 10_000 });
    expect(await photo.locator('.bubble-sender').textContent()).toBe('You');
    await inbox.getByTestId('conversation').filter({ hasText: 'You: ' }).waitFor();
    expect(await seriousViolations(inbox)).toEqual([]);
    await inbox.screenshot(shot('sent'));
  });

  it('inserts an emoji and a canned reply, and sends an approved template with its parameters', async () => {
    const inbox = await conversationWithCustomer();
    const box = inbox.getByRole('textbox', { name: 'Reply' });
    await box.fill('/ord');
    await inbox.getByRole('listbox', { name: 'Canned replies' }).waitFor();
    await box.press('Enter');
    expect(await box.inputValue()).toBe('Could you send me your order number? I will check it right away.');
    await inbox.getByRole('button', { name: 'Emoji' }).click();
    await inbox.getByRole('dialog', { name: 'Emoji' }).waitFor();
    expect(await seriousViolations(inbox)).toEqual([]);
    await inbox.screenshot(shot('emoji'));
    await inbox.getByRole('button', { name: '🙏' }).click();
    expect(await box.inputValue()).toContain('🙏');
    await box.press('Enter');
    await inbox.locator('[data-testid="message"]', { hasText: 'I will check it right away' }).waitFor();

    // A canned reply of one's own, saved from its panel while a draft waits in the reply box (which stays unsent).
    await box.fill('A draft that waits');
    await inbox.getByRole('button', { name: 'Canned replies…' }).click();
    const panel = inbox.getByRole('dialog', { name: 'Canned replies' });
    await panel.getByLabel('Shortcut').fill('hours');
    await panel.getByLabel('Text it inserts').fill('We answer from 9 to 18, Monday to Friday.');
    await panel.getByLabel('Shortcut').press('Enter');
    await panel.getByText('/hours').waitFor();
    expect(await seriousViolations(inbox)).toEqual([]);
    await inbox.screenshot(shot('canned-panel'));
    await inbox.keyboard.press('Escape');
    expect(await box.inputValue()).toBe('A draft that waits');
    expect(await inbox.locator('[data-testid="message"]', { hasText: 'A draft that waits' }).count()).toBe(0);
    await box.fill('/hours');
    await box.press('Enter');
    expect(await box.inputValue()).toBe('We answer from 9 to 18, Monday to Friday.');
    await box.fill('');

    await inbox.getByRole('button', { name: 'Send a template…' }).click();
    await inbox.getByLabel('Template', { exact: true }).selectOption('order_update|en_US');
    await inbox.getByLabel('{{1}}').fill('Elena');
    await inbox.getByLabel('{{2}}').fill('#2210');
    expect(await inbox.getByLabel('Preview').textContent()).toContain('Hi Elena, your order #2210 is on its way');
    expect(await seriousViolations(inbox)).toEqual([]);
    await inbox.screenshot(shot('template'));
    await inbox.getByRole('button', { name: 'Send template' }).click();
    await inbox.locator('[data-testid="message"]', { hasText: 'Hi Elena, your order #2210 is on its way and should arrive within 3 working days.' }).waitFor();
    await inbox.getByRole('textbox', { name: 'Reply' }).waitFor();
  });
});
