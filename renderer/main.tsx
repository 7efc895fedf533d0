import { StrictMode } from 'react';
import { z } from 'zod';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { chooseBridge, forgetToken, loginWithToken } from './bridge/select-bridge';
import { warmTypefaces } from './features/warm-typefaces';
import './styles.css';

// Our CSP forbids eval: tell zod not to try compiling validators with `new Function`.
z.config({ jitless: true });

// The one place that looks at `window`: the bridge is chosen here, once, and handed down.
const choice = chooseBridge(window);
// Away while the window is hidden (another app, a locked screen), online when it is shown again.
document.addEventListener('visibilitychange', () => {
  if (choice.kind === 'ready') choice.bridge.signal({ type: 'presence', state: document.visibilityState === 'hidden' ? 'away' : 'online' });
});
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
// The fonts of the scripts customers write in load while the inbox is idle, not in the first conversation's frame.
warmTypefaces(document.body);
createRoot(root).render(
  <StrictMode>
    <App
      initialBridge={choice.kind === 'ready' ? choice.bridge : null}
      login={(token) => loginWithToken(window, token)}
      logout={() => forgetToken(window)}
    />
  </StrictMode>,
);
