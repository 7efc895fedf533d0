import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium';
import { callApi, closeTest, openInbox, postWebhook, serve, type E2eGateway } from './e2e-gateway';

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

const PHONE = '200300400500';
const DAY_S = 24 * 60 * 60;

/** `count` inbound texts from one customer, `perDay` a day ending now, in webhooks of 100 messages; `extra` adds words to some. */
async function history(g: E2eGateway, from: string, name: string, count: number, perDay = 400, extra: Record<number, string> = {}): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const start = now - Math.ceil(count / perDay) * DAY_S;
  const step = Math.floor(DAY_S / perDay);
  for (let first = 0; first < count; first += 100) {
    const messages = Array.from({ length: Math.min(100, count - first) }, (_, offset) => {
      const n = first + offset;
      return { from, id: `wamid.${from}.${n}`, timestamp: String(start + n * step), type: 'text', text: { body: `message ${n} from ${name}${extra[n] ?? ''}` } };
    });
    await postWebhook(g, {
      object: 'whatsapp_business_account',
      entry: [{ id: 'waba', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: PHONE }, contacts: [{ profile: { name }, wa_id: from }], messages } }] }],
    });
  }
}

async function markAllRead(g: E2eGateway): Promise<void> {
  const conversations = (await (await callApi(g, '/api/conversations')).json()) as { id: number }[];
  for (const { id } of conversations) await callApi(g, `/api/conversations/${id}/read`, { method: 'POST' });
}

async function say(g: E2eGateway, from: string, name: string, text: string, at = Math.floor(Date.now() / 1000)): Promise<void> {
  await postWebhook(g, {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'waba',
        changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: PHONE }, contacts: [{ profile: { name }, wa_id: from }], messages: [{ from, id: `wamid.${from}.${text}`, timestamp: String(at), type: 'text', text: { body: text } }] } }],
      },
    ],
  });
}

// The agent scrolls the timeline with the wheel: the wheel event, then the scroll it makes,
// dispatched together so that a loaded machine cannot drop or smooth the gesture.
// Returns how far the view really moved: near the top, less than asked.
async function wheel(p: Page, pixels: number): Promise<number> {
  return p.evaluate<number>(`(() => {
    const timeline = document.querySelector('.timeline');
    const from = timeline.scrollTop;
    timeline.dispatchEvent(new WheelEvent('wheel', { deltaY: ${pixels}, bubbles: true }));
    timeline.scrollBy(0, ${pixels});
    return from - timeline.scrollTop;
  })()`);
}

// Where a message's bubble is relative to the timeline's viewport: inside it, above or below (or absent).
async function placeOf(p: Page, text: string): Promise<'visible' | 'above' | 'below' | 'absent'> {
  return p.evaluate(`(() => {
    const bubble = [...document.querySelectorAll('[data-testid="message"]')].find((el) => el.querySelector('.bubble-text')?.textContent === ${JSON.stringify(text)});
    if (!bubble) return 'absent';
    const view = document.querySelector('.timeline').getBoundingClientRect();
    const box = bubble.getBoundingClientRect();
    if (box.bottom <= view.top) return 'above';
    if (box.top >= view.bottom) return 'below';
    return 'visible';
  })()`);
}

// The text and top of the first message fully in view.
async function firstInView(p: Page): Promise<{ text: string; top: number }> {
  return p.evaluate(`(() => {
    const view = document.querySelector('.timeline').getBoundingClientRect();
    const bubble = [...document.querySelectorAll('[data-testid="message"]')].find((el) => el.getBoundingClientRect().top >= view.top);
    return { text: bubble.querySelector('.bubble-text').textContent, top: Math.round(bubble.getBoundingClientRect().top) };
  })()`);
}

/**
 * Records, after each painted frame (in a task queued from its animation callback) for 60 frames,
 * how many of `name`'s bubbles were on screen, where the one starting with `text` was, and how far
 * its bottom was above the view's bottom edge (px).
 */
async function watchFrames(p: Page, name: string, text: string): Promise<void> {
  await p.evaluate(`window.__frames = []; (function probe() {
    requestAnimationFrame(() => setTimeout(() => {
      const view = document.querySelector('.timeline');
      const bubbles = [...document.querySelectorAll('[data-testid="message"]')].filter((bubble) => bubble.textContent.includes(${JSON.stringify(` from ${name}`)}));
      const found = bubbles.find((bubble) => bubble.querySelector('.bubble-text')?.textContent.startsWith(${JSON.stringify(text)}));
      let place = 'absent';
      let gap = null;
      if (found && view) {
        const v = view.getBoundingClientRect();
        const b = found.getBoundingClientRect();
        place = b.bottom <= v.top ? 'above' : b.top >= v.bottom ? 'below' : 'visible';
        gap = Math.round(v.bottom - b.bottom);
      }
      window.__frames.push({ bubbles: bubbles.length, place, gap });
      if (window.__frames.length < 60) probe();
    }, 0));
  })()`);
}

/** The 60 frames `watchFrames` recorded, once they are in. */
async function watchedFrames(p: Page): Promise<{ bubbles: number; place: string; gap: number | null }[]> {
  await expect.poll(() => p.evaluate<number>('window.__frames.length'), { timeout: 10_000 }).toBe(60);
  return p.evaluate('window.__frames');
}

/** Where the message was in each frame that showed any of the customer's bubbles. */
async function framesShown(p: Page): Promise<string[]> {
  return (await watchedFrames(p)).filter((frame) => frame.bubbles > 0).map((frame) => frame.place);
}

/** Ctrl+K, `query` typed, and the result for `hit` listed: returns the palette's box (Enter opens the result). */
async function searchFor(p: Page, query: string, hit: string): Promise<Locator> {
  await p.keyboard.press('Control+k');
  const box = p.getByRole('combobox', { name: 'Search conversations and messages' });
  await box.fill(query);
  await p.getByRole('option').filter({ hasText: hit }).waitFor();
  return box;
}

// Three lines or more a bubble: the list's first estimate of a row (before any is measured) is far short.
const LONG = `, ${'the parcel left the depot this morning and should reach you tomorrow before noon; '.repeat(3)}`;

describe('the thread in a real browser', () => {
  it('opens a long thread at its newest message and stays pinned as messages arrive; scrolled up, a pill counts them instead', async () => {
    gateway = await serve({ SWITCHBOARD_SANDBOX_SEED: '0' });
    await history(gateway, '34611000001', 'Ana', 2_400);
    await markAllRead(gateway);
    ({ page } = await openInbox(browser, gateway));
    await page.getByTestId('conversation').filter({ hasText: 'Ana' }).click();
    await expect.poll(() => placeOf(page as Page, 'message 2399 from Ana')).toBe('visible');
    // Every bubble has its time (the day is a separator row above each day's first message). Both
    // counted in one look: the rows around the view keep mounting for a frame or two after the
    // newest shows.
    const timed = await page.evaluate<{ bubbles: number; times: number }>(`(() => { const bubbles = [...document.querySelectorAll('[data-testid="message"]')]; return { bubbles: bubbles.length, times: bubbles.filter((b) => b.querySelector('time')).length }; })()`);
    expect(timed.bubbles).toBeGreaterThan(0);
    expect(timed.times).toBe(timed.bubbles);
    // Not 2,400 rows in the page: only those near the viewport are mounted.
    expect(await page.locator('[data-testid="message"]').count()).toBeLessThan(80);

    await say(gateway, '34611000001', 'Ana', 'are you there?');
    await expect.poll(() => placeOf(page as Page, 'are you there?')).toBe('visible');
    await page.getByRole('textbox', { name: 'Reply' }).fill('Yes, here.');
    await page.getByRole('textbox', { name: 'Reply' }).press('Enter');
    await expect.poll(() => placeOf(page as Page, 'Yes, here.')).toBe('visible');

    // The agent scrolls up with the wheel while the reply's ticks still change.
    await wheel(page, -1_500);
    await page.waitForTimeout(300);
    await say(gateway, '34611000001', 'Ana', 'hello again');
    await page.getByRole('button', { name: '1 new message ↓' }).waitFor();
    expect(await placeOf(page, 'hello again')).not.toBe('visible');
    await page.screenshot({ path: path.join(os.tmpdir(), 'switchboard-e2e-thread-pill.png') });
    await page.getByRole('button', { name: '1 new message ↓' }).click();
    await expect.poll(() => placeOf(page as Page, 'hello again')).toBe('visible');
    // Back at the bottom, the pill goes.
    await expect.poll(() => (page as Page).locator('button.to-latest').count()).toBe(0);
  });

  it('paints a thread that opens at its newest message there from its first frame, warmed in view or not, by a held mouse press, a click or the keyboard, with rows far taller than first estimated', async () => {
    gateway = await serve({ SWITCHBOARD_SANDBOX_SEED: '0' });
    const everyMessage = Object.fromEntries(Array.from({ length: 200 }, (_, n) => [n, LONG]));
    // Ines, with the oldest messages, is last in the list, below twelve conversations that are
    // newer, and under Gil and Hana, the newest: her row is not in view when the inbox opens.
    await history(gateway, '34611000011', 'Ines', 200, 1000, everyMessage);
    await history(gateway, '34611000009', 'Gil', 200, 400, everyMessage);
    await history(gateway, '34611000010', 'Hana', 200, 400, everyMessage);
    const minuteAgo = Math.floor(Date.now() / 1000) - 60;
    for (let n = 0; n < 12; n += 1) await say(gateway, `3461200${String(n).padStart(4, '0')}`, `Filler ${n}`, 'a short question', minuteAgo);
    await say(gateway, '34611000009', 'Gil', `message 200 from Gil${LONG}`);
    await say(gateway, '34611000010', 'Hana', `message 200 from Hana${LONG}`);
    await markAllRead(gateway);
    let apiRequests: string[];
    ({ page, apiRequests } = await openInbox(browser, gateway));
    const p = page;
    const rowOf = (name: string) => p.getByTestId('conversation').filter({ hasText: name });
    const listed = (await (await callApi(gateway, '/api/conversations')).json()) as { id: number; name: string }[];
    const pageAsks = (name: string) => {
      const id = listed.find((conversation) => conversation.name === name)?.id;
      return apiRequests.filter((request) => request === `GET /api/conversations/${id}/messages`).length;
    };

    // Gil's row has been in view a moment: his opening page was loaded ahead. A mouse press held
    // as a click is opens it with no request, painted from the first frame at the newest message.
    await expect.poll(() => pageAsks('Gil'), { timeout: 10_000 }).toBe(1);
    const gil = await rowOf('Gil').boundingBox();
    if (!gil) throw new Error('no row for Gil');
    await p.mouse.move(gil.x + gil.width / 2, gil.y + gil.height / 2);
    await watchFrames(p, 'Gil', 'message 200 from Gil');
    await p.mouse.down();
    await p.waitForTimeout(80);
    await p.mouse.up();
    const byPress = await framesShown(p);
    expect(byPress.length).toBeGreaterThan(0);
    expect(byPress).toEqual(byPress.map(() => 'visible'));
    expect(pageAsks('Gil')).toBe(1);

    // By a click alone (no press before it).
    await watchFrames(p, 'Hana', 'message 200 from Hana');
    await p.evaluate(`[...document.querySelectorAll('[data-testid="conversation"]')].find((row) => row.textContent.includes('Hana')).click()`);
    const byClick = await framesShown(p);
    expect(byClick.length).toBeGreaterThan(0);
    expect(byClick).toEqual(byClick.map(() => 'visible'));

    // Ines was never in view, so nothing was loaded ahead: End in the list opens her, and her
    // page comes after the empty thread's first frame.
    expect(pageAsks('Ines')).toBe(0);
    await p.getByRole('listbox', { name: 'Conversations' }).focus();
    await watchFrames(p, 'Ines', 'message 199 from Ines');
    await p.keyboard.press('End');
    const byKey = await framesShown(p);
    expect(byKey.length).toBeGreaterThan(0);
    expect(byKey).toEqual(byKey.map(() => 'visible'));
    expect(pageAsks('Ines')).toBe(1);
  });

  it('takes the newest page again from a window opened far back ("Latest ↓"), painting the newest message at the bottom from its first frame', async () => {
    gateway = await serve({ SWITCHBOARD_SANDBOX_SEED: '0' });
    const every = Object.fromEntries(Array.from({ length: 600 }, (_, n) => [n, n === 100 ? `, parcel ZX4471${LONG}` : LONG]));
    await history(gateway, '34611000011', 'Ines', 600, 400, every);
    await markAllRead(gateway);
    ({ page } = await openInbox(browser, gateway));
    const p = page;
    await p.getByTestId('conversation').first().waitFor();
    await (await searchFor(p, 'zx44', 'message 100 from Ines')).press('Enter');
    await expect.poll(() => placeOf(p, `message 100 from Ines, parcel ZX4471${LONG}`)).toBe('visible');
    const latest = p.getByRole('button', { name: 'Latest ↓' });
    await latest.waitFor();
    // The newest page replaces the window: from the first frame that shows its newest message,
    // that message sits at the bottom edge, in every frame at the same place.
    await watchFrames(p, 'Ines', 'message 599 from Ines');
    await latest.click();
    const shown = (await watchedFrames(p)).filter((frame) => frame.place !== 'absent');
    expect(shown.length).toBeGreaterThan(0);
    const settled = shown.at(-1);
    expect(settled?.place).toBe('visible');
    expect(settled?.gap).toBeGreaterThanOrEqual(0);
    expect(settled?.gap).toBeLessThan(12);
    expect(shown).toEqual(shown.map(() => settled));
    // At the bottom, the pill goes.
    await expect.poll(() => p.locator('button.to-latest').count()).toBe(0);
    await p.screenshot({ path: path.join(os.tmpdir(), 'switchboard-e2e-thread-latest.png') });

    // Pressed from the keyboard, the pill goes too, and the keyboard goes on in the timeline
    // (there an arrow key or Tab reaches the messages), not back to the start of the page.
    await wheel(p, -3_000);
    await latest.focus();
    await p.keyboard.press('Enter');
    await expect.poll(() => p.locator('button.to-latest').count()).toBe(0);
    await expect.poll(() => p.evaluate('document.activeElement?.closest(".timeline") !== null')).toBe(true);
    await expect.poll(() => placeOf(p, `message 599 from Ines${LONG}`)).toBe('visible');
    await p.screenshot({ path: path.join(os.tmpdir(), 'switchboard-e2e-thread-latest-keyboard.png') });
    // A click leaves the focus alone (a mouse user does not get a focus ring in the timeline).
    await wheel(p, -3_000);
    await latest.click();
    await expect.poll(() => p.locator('button.to-latest').count()).toBe(0);
    expect(await p.evaluate('document.activeElement?.closest(".timeline") !== null')).toBe(false);
  });

  it('opens search results in the open conversation one after another, each held in place from the first frame that shows it', async () => {
    gateway = await serve({ SWITCHBOARD_SANDBOX_SEED: '0' });
    const every = Object.fromEntries(Array.from({ length: 600 }, (_, n) => [n, n === 100 ? `, parcel ZX4471${LONG}` : n === 300 ? `, parcel QW8812${LONG}` : LONG]));
    await history(gateway, '34611000012', 'Jon', 600, 400, every);
    await markAllRead(gateway);
    ({ page } = await openInbox(browser, gateway));
    const p = page;
    await p.getByTestId('conversation').filter({ hasText: 'Jon' }).click();
    await expect.poll(() => placeOf(p, `message 599 from Jon${LONG}`)).toBe('visible');
    // Each result opens a window of its own; the agent scrolls a little in each before the next.
    const gapsOfResult = async (query: string, n: number) => {
      const box = await searchFor(p, query, `message ${n} from Jon`);
      await watchFrames(p, 'Jon', `message ${n} from Jon`);
      await box.press('Enter');
      const gaps = (await watchedFrames(p)).filter((frame) => frame.place !== 'absent').map((frame) => frame.gap);
      await wheel(p, -400);
      await p.waitForTimeout(900);
      return gaps;
    };
    for (const [query, n] of [['zx44', 100], ['qw88', 300], ['zx44', 100]] as const) {
      const gaps = await gapsOfResult(query, n);
      expect(gaps.length).toBeGreaterThan(0);
      expect(gaps).toEqual(gaps.map(() => gaps.at(-1)));
    }
  });

  it('loads older history by itself as the agent scrolls up, without moving what is on screen', async () => {
    gateway = await serve({ SWITCHBOARD_SANDBOX_SEED: '0' });
    await history(gateway, '34611000002', 'Bea', 1_000);
    await markAllRead(gateway);
    ({ page } = await openInbox(browser, gateway));
    await page.getByTestId('conversation').filter({ hasText: 'Bea' }).click();
    await expect.poll(() => placeOf(page as Page, 'message 999 from Bea')).toBe('visible');
    // Scroll up step by step; each time a page lands above, the first message in view stays put.
    for (let step = 0; step < 25; step += 1) {
      const before = await firstInView(page);
      const requests = await page.evaluate('performance.getEntriesByType("resource").length');
      const moved = await wheel(page, -300);
      await page.waitForTimeout(150);
      const after = await firstInView(page);
      const loaded = (await page.evaluate('performance.getEntriesByType("resource").length')) !== requests;
      if (loaded) {
        // The message that was first in view is where the scroll put it (300 px, or less when the
        // scroll met the top before the page came), not pushed by the new page.
        const again = await page.evaluate(`(() => {
          const bubble = [...document.querySelectorAll('[data-testid="message"]')].find((el) => el.querySelector('.bubble-text')?.textContent === ${JSON.stringify(before.text)});
          return bubble ? Math.round(bubble.getBoundingClientRect().top) : null;
        })()`);
        expect(again).toBe(before.top + moved);
      }
      expect(after.text).not.toBe('');
    }
    // About 170 messages further up than where it opened, all of them loaded on the way.
    expect(Number(/message (\d+)/.exec((await firstInView(page)).text)?.[1])).toBeLessThan(850);
    await page.screenshot({ path: path.join(os.tmpdir(), 'switchboard-e2e-thread-older.png') });
  });

  it('opens at the first unread message under an "Unread messages" divider, and keeps each conversation’s place', async () => {
    gateway = await serve({ SWITCHBOARD_SANDBOX_SEED: '0' });
    await history(gateway, '34611000003', 'Caro', 600);
    await history(gateway, '34611000004', 'Dani', 300);
    await markAllRead(gateway);
    for (const text of ['unread one', 'unread two', 'unread three']) await say(gateway, '34611000003', 'Caro', text);
    ({ page } = await openInbox(browser, gateway));
    await page.getByTestId('conversation').filter({ hasText: 'Caro' }).click();
    await page.getByRole('separator').filter({ hasText: 'Unread messages' }).waitFor();
    await expect.poll(() => placeOf(page as Page, 'unread one')).toBe('visible');
    await page.screenshot({ path: path.join(os.tmpdir(), 'switchboard-e2e-thread-unread.png') });
    // Seen (focused, newest on screen): marked read, the badge goes.
    await expect.poll(() => (page as Page).getByTestId('conversation').filter({ hasText: 'Caro' }).locator('.unread').count()).toBe(0);

    await wheel(page, -2_000);
    await page.waitForTimeout(300);
    const left = await firstInView(page);
    await page.getByTestId('conversation').filter({ hasText: 'Dani' }).click();
    await expect.poll(() => placeOf(page as Page, 'message 299 from Dani')).toBe('visible');
    await page.getByTestId('conversation').filter({ hasText: 'Caro' }).click();
    const number = (text: string) => Number(/message (\d+)/.exec(text)?.[1]);
    await expect.poll(async () => Math.abs(number((await firstInView(page as Page)).text) - number(left.text))).toBeLessThanOrEqual(1);
  });

  it('finds a message anywhere with Ctrl+K and opens the thread centred on it, then Ctrl+F steps through matches in the thread', async () => {
    gateway = await serve({ SWITCHBOARD_SANDBOX_SEED: '0' });
    await history(gateway, '34611000005', 'Eva', 2_000, 400, { 120: ', parcel ZX4471' });
    await history(gateway, '34611000006', 'Fede', 50);
    await markAllRead(gateway);
    ({ page } = await openInbox(browser, gateway));
    await page.getByTestId('conversation').first().waitFor();
    // Closed without a choice, the palette gives the focus back to what had it.
    await page.getByRole('button', { name: /^Search/ }).focus();
    await page.keyboard.press('Control+k');
    await page.keyboard.press('Escape');
    await expect.poll(() => (page as Page).evaluate('document.activeElement?.className')).toBe('search-open');
    await page.keyboard.press('Control+k');
    const box = page.getByRole('combobox', { name: 'Search conversations and messages' });
    await box.fill('zx44');
    const hit = page.getByRole('option').filter({ hasText: 'message 120 from Eva, parcel ZX4471' });
    await hit.waitFor();
    expect(await hit.locator('mark').first().textContent()).toBe('ZX44');
    await page.screenshot({ path: path.join(os.tmpdir(), 'switchboard-e2e-search.png') });
    await box.press('Enter');
    // Far back in a long thread, opened on it, marked, older and newer messages around it.
    await expect.poll(() => placeOf(page as Page, 'message 120 from Eva, parcel ZX4471')).toBe('visible');
    await expect.poll(() => (page as Page).locator('.bubble-target .bubble-text').textContent()).toBe('message 120 from Eva, parcel ZX4471');
    // The keyboard is back where the palette was opened from; Tab into the thread lands on the found message.
    expect(await page.evaluate('document.activeElement?.className')).toBe('search-open');
    await page.locator('.timeline').focus();
    await expect.poll(() => (page as Page).evaluate('document.activeElement?.querySelector(".bubble-text")?.textContent ?? null')).toBe('message 120 from Eva, parcel ZX4471');
    expect(await placeOf(page, 'message 1999 from Eva')).toBe('absent');
    await page.getByRole('button', { name: 'Latest ↓' }).waitFor();
    await page.screenshot({ path: path.join(os.tmpdir(), 'switchboard-e2e-search-opened.png') });

    await page.keyboard.press('Control+f');
    const inThread = page.getByRole('searchbox', { name: 'Search this conversation' });
    await inThread.fill('from Eva');
    await inThread.press('Enter');
    await page.getByRole('status').filter({ hasText: /^1 of 100\+$/ }).waitFor();
    await expect.poll(() => placeOf(page as Page, 'message 1999 from Eva')).toBe('visible');
    await page.getByRole('button', { name: 'Older match' }).click();
    await expect.poll(() => placeOf(page as Page, 'message 1998 from Eva')).toBe('visible');
    await expect.poll(() => (page as Page).locator('.bubble-target .bubble-text').textContent()).toBe('message 1998 from Eva');
    // Esc closes the thread's search and leaves the keyboard on the match it showed last.
    await inThread.press('Escape');
    await inThread.waitFor({ state: 'detached' });
    await expect.poll(() => (page as Page).evaluate('document.activeElement?.querySelector(".bubble-text")?.textContent ?? null')).toBe('message 1998 from Eva');
  });
});
