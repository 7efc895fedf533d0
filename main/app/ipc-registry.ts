import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { EVENT_CHANNEL, fail, OPERATION_CHANNELS, type OperationName, type Result, type ServerEvent } from '../../shared/contract';

/** Decides whether an IPC message comes from a window we created, its main frame, our page. */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

/** Builds the sender check: the sender is a tracked window's main frame, showing a URL we loaded. */
export function trustedSenderCheck(trusted: ReadonlySet<WebContents>, isOurUrl: (url: string) => boolean): SenderCheck {
  return (event) => {
    const frame = event.senderFrame;
    return trusted.has(event.sender) && frame !== null && frame === event.sender.mainFrame && isOurUrl(frame.url);
  };
}

/** Where the windows' operations go: the gateway's process, which validates and runs them as the desktop's own user. */
export type OperationRelay = { invoke(name: OperationName, request: unknown): Promise<Result<unknown>> };

/**
 * Registers one handler per contract operation: the sender check here, then the gateway's
 * validation and service. Returns an unregister.
 */
export function registerIpc(gateway: OperationRelay, isTrusted: SenderCheck): () => void {
  for (const { name, channel } of OPERATION_CHANNELS) {
    ipcMain.handle(channel, (event, request: unknown): Result<unknown> | Promise<Result<unknown>> => {
      if (!isTrusted(event)) return fail('forbidden', 'IPC from an untrusted sender');
      return gateway.invoke(name, request);
    });
  }
  return () => {
    for (const { channel } of OPERATION_CHANNELS) ipcMain.removeHandler(channel);
  };
}

/** Sends a batch of committed events to every trusted window, in order, as one message. */
export function forwardEvents(events: readonly ServerEvent[], trusted: ReadonlySet<WebContents>): void {
  if (events.length === 0) return;
  for (const contents of trusted) {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, events);
  }
}
