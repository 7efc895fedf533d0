import { useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { BridgeApi } from './bridge/bridge-api';
import { InboxScreen } from './features/InboxScreen';
import { LoginScreen } from './features/LoginScreen';
import { createInboxStores, InboxStoresContext } from './stores/inbox-stores';
import { startSession } from './stores/session';

/** A signed-in session: stores over one bridge, started once, stopped on unmount. */
function Session({ bridge, onUnauthorized, onSignOut }: { bridge: BridgeApi; onUnauthorized: () => void; onSignOut: () => void }) {
  const stores = useMemo(() => createInboxStores(bridge), [bridge]);
  const unauthorized = useStore(stores.connection, (state) => state.unauthorized);
  useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    void startSession(stores).then((stopSession) => {
      if (cancelled) stopSession();
      else stop = stopSession;
    });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [stores]);
  useEffect(() => {
    if (unauthorized) onUnauthorized();
  }, [unauthorized, onUnauthorized]);
  return (
    <InboxStoresContext.Provider value={stores}>
      {/* The desktop app signs in as its install; only a browser holds a token to forget. */}
      <InboxScreen onSignOut={bridge.transport === 'websocket' ? onSignOut : undefined} />
    </InboxStoresContext.Provider>
  );
}

/** The app: the inbox when a bridge is ready, else the login screen (browser mode without token). */
export function App(props: { initialBridge: BridgeApi | null; login: (token: string) => BridgeApi; logout: () => void }) {
  const [bridge, setBridge] = useState(props.initialBridge);
  const [refused, setRefused] = useState(false);
  const { logout } = props;
  const onUnauthorized = useMemo(
    () => () => {
      logout();
      setRefused(true);
      setBridge(null);
    },
    [logout],
  );
  const onSignOut = () => {
    logout();
    setRefused(false);
    setBridge(null);
  };
  if (!bridge) return <LoginScreen refused={refused} onToken={(token) => setBridge(props.login(token))} />;
  return <Session bridge={bridge} onUnauthorized={onUnauthorized} onSignOut={onSignOut} />;
}
