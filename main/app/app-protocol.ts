import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { APP_SCHEME, appContentSecurityPolicy, appContentType, resolveAppFile } from './security-policy';

/** Declares `app://` a standard, secure scheme: before the app is ready, as Electron requires. */
export function registerAppScheme(): void {
  // codeCache: V8 keeps the renderer's compiled code between launches, as Chromium does for https
  // pages, instead of compiling the bundle again at each start.
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
}

/** Serves the renderer folder on `app://switchboard/`, each response with the page's CSP; 404 for anything else. */
export function serveAppScheme(rendererDir: string, gatewayUrl: () => string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(rendererDir, request.url);
    if (!file) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(new Uint8Array(body), {
        headers: { 'content-type': appContentType(file), 'content-security-policy': appContentSecurityPolicy(gatewayUrl()), 'x-content-type-options': 'nosniff' },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}
