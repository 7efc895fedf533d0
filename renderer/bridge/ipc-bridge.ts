import { OPERATION_NAMES, type PreloadApi, type ServerEvent } from '../../shared/contract';
import { assertNever } from '../../shared/contract';
import type { AgentSignal, BridgeApi, StreamHandlers } from './bridge-api';
import { SeqGate } from './seq-gate';

/**
 * The bridge in the desktop app: operations go through preload's functions; events arrive over
 * IPC. Resuming after a renderer reload reads the missed events from the log before live ones.
 */
export function createIpcBridge(preload: PreloadApi): BridgeApi {
  const operations = Object.fromEntries(OPERATION_NAMES.map((name) => [name, preload[name]])) as unknown as Omit<BridgeApi, 'transport' | 'stream' | 'signal' | 'gatewayUrl' | 'reconnectNow'>;
  let gatewayUrl: Promise<string> | null = null;
  return {
    ...operations,
    transport: 'ipc',
    // The window is a file page: media links are loaded from the gateway this app runs.
    gatewayUrl(url: string) {
      gatewayUrl ??= preload.getInfo({}).then((info) => {
        if (!info.ok) {
          gatewayUrl = null;
          throw new Error(info.error.message);
        }
        return info.value.url;
      });
      return gatewayUrl.then((base) => new URL(url, `${base}/`).href);
    },
    // IPC does not drop: there is nothing to reconnect.
    reconnectNow() {},
    signal(signal: AgentSignal) {
      switch (signal.type) {
        case 'typing':
          void preload.setTyping({ conversation_id: signal.conversation_id });
          return;
        case 'viewing':
          void preload.setViewing({ conversation_id: signal.conversation_id });
          return;
        case 'presence':
          void preload.setPresence({ state: signal.state });
          return;
        default:
          assertNever(signal);
      }
    },
    stream(since: number, handlers: StreamHandlers) {
      const gate = new SeqGate(since);
      let catchingUp = true;
      let stopped = false;
      const buffered: ServerEvent[] = [];
      const deliver = (event: ServerEvent) => {
        if (gate.admit(event)) handlers.onEvent(event);
      };
      const unsubscribe = preload.onEvent((event) => {
        if (catchingUp) buffered.push(event);
        else deliver(event);
      });
      handlers.onConnection('connecting');
      const catchUp = async (): Promise<void> => {
        for (;;) {
          const page = await preload.listEvents({ since: gate.lastSeq });
          if (stopped) return;
          if (!page.ok) {
            handlers.onConnection('offline');
            return;
          }
          if (page.value.resync) {
            const info = await preload.getInfo({});
            gate.reset(info.ok ? info.value.head_seq : 0);
            handlers.onResync();
            break;
          }
          if (page.value.events.length === 0) break;
          page.value.events.forEach(deliver);
        }
        catchingUp = false;
        buffered.sort((a, b) => a.seq - b.seq).forEach(deliver);
        buffered.length = 0;
        handlers.onConnection('live');
      };
      void catchUp();
      return () => {
        stopped = true;
        unsubscribe();
      };
    },
  };
}
