import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { chooseBridge, forgetToken, loginWithToken } from './bridge/select-bridge';
import './styles.css';

// The one place that looks at `window`: the bridge is chosen here, once, and handed down.
const choice = chooseBridge(window);
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App
      initialBridge={choice.kind === 'ready' ? choice.bridge : null}
      login={(token) => loginWithToken(window, token)}
      logout={() => forgetToken(window)}
    />
  </StrictMode>,
);
