import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const SYSTEM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** Which Chromium runs the browser tests, and where it came from. */
export type ChromiumChoice = { executablePath: string; source: 'CHROME_PATH' | 'system' | '@sparticuz/chromium' };

/**
 * The Chromium for end-to-end tests and the browser benchmark, never downloaded at run time:
 * `CHROME_PATH` when set, else a system Chromium, else the build shipped inside the
 * `@sparticuz/chromium` npm package (unpacked to the temp dir on first use), so a machine with
 * nothing but Node and npm runs them too. `SWITCHBOARD_E2E_BROWSER=bundled` skips the system one
 * (CI runs the browser tests that way too, so the fallback is known to work).
 */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumChoice> {
  const fromEnv = env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist`);
    return { executablePath: fromEnv, source: 'CHROME_PATH' };
  }
  const system = env.SWITCHBOARD_E2E_BROWSER === 'bundled' ? undefined : SYSTEM_CANDIDATES.find((candidate) => existsSync(candidate));
  if (system) return { executablePath: system, source: 'system' };
  const bundled = (await import('@sparticuz/chromium')).default;
  return { executablePath: await bundled.executablePath(), source: '@sparticuz/chromium' };
}

/**
 * Flags a closed network and a root user need, and one that keeps the browser's own UI out of the
 * measurements; nothing that weakens the page's security. Headless Chromium 156 loads its omnibox
 * popup (a WebUI page, in a renderer process of its own) for every new window: on two cores that
 * load ran beside the page's first frames and slowed them (a thread's first opening in a new
 * window, 30 each, interleaved: median 124 ms with it, 96 without). An Electron window has none.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup',
];

let announced = false;

/** Headless Chromium, saying once per process which one runs (in the test output). */
export async function launchChromium(): Promise<Browser> {
  const choice = await findChromium();
  const browser = await chromium.launch({ executablePath: choice.executablePath, headless: true, args: CHROMIUM_ARGS });
  if (!announced) {
    announced = true;
    process.stdout.write(`e2e: Chromium ${browser.version()} from ${choice.source} (${choice.executablePath})\n`);
  }
  return browser;
}
