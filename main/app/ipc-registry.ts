import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { EVENT_CHANNEL, fail, OPERATION_CHANNELS, type Result } from '../../shared/contract';
import type { EventBus } from '../services/event-bus';
import { invokeOperation, type Caller, type OperationHandlers } from '../services/operations';

/** Decides whether an IPC message comes from a window we created, its main frame, our page. */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

/** Builds the sender check: the sender is a tracked window's main frame, showing a URL we loaded. */
export function trustedSenderCheck(trusted: ReadonlySet<WebContents>, isOurUrl: (url: string) => boolean): SenderCheck {
  return (event) => {
    const frame = event.senderFrame;
    return trusted.has(event.sender) && frame !== null && frame === event.sender.mainFrame && isOurUrl(frame.url);
  };
}

/**
 * Registers one handler per contract operation (sender check, then schema validation, then the
 * shared service, as the desktop's own user) and forwards every committed event to trusted
 * windows. Returns an unregister.
 */
export function registerIpc(
  handlers: OperationHandlers,
  bus: EventBus,
  trusted: ReadonlySet<WebContents>,
  isTrusted: SenderCheck,
  caller: Caller,
): () => void {
  for (const { name, channel } of OPERATION_CHANNELS) {
    ipcMain.handle(channel, (event, request: unknown): Result<unknown> | Promise<Result<unknown>> => {
      if (!isTrusted(event)) return fail('forbidden', 'IPC from an untrusted sender');
      return invokeOperation(handlers, name, request, caller);
    });
  }
  const unsubscribe = bus.subscribe((event) => {
    for (const contents of trusted) {
      if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
    }
  });
  return () => {
    unsubscribe();
    for (const { channel } of OPERATION_CHANNELS) ipcMain.removeHandler(channel);
  };
}
