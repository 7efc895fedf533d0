import { net } from 'electron';
import type { FromGateway, ToGateway } from './gateway-link';
import { serveGatewayProcess } from './gateway-process';

// The gateway's utility process (forked by the main process, see gateway-host.ts): Electron's
// parentPort is its only link to the app.
const parent = process.parentPort;

process.on('uncaughtException', (error) => {
  // Logged through the main process (which owns the log file); it restarts the gateway.
  parent.postMessage({ type: 'log', line: `gateway: uncaught exception: ${error.stack ?? String(error)}` } satisfies FromGateway);
  process.exit(1);
});

serveGatewayProcess(
  {
    post: (message) => parent.postMessage(message),
    onMessage: (listener) => parent.on('message', (event) => listener(event.data as ToGateway)),
  },
  {
    // Graph API calls go through Chromium's network stack: the system proxy and certificate store.
    fetch: (input, init) => net.fetch(input instanceof URL ? input.href : input, init),
    exit: (code) => process.exit(code),
  },
);
