import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_CHANNEL, OPERATION_NAMES, operationChannel, type PreloadApi, type ServerEvent } from '../shared/contract';

// One named function per contract operation, derived from the contract so none is written twice.
const operations = Object.fromEntries(
  OPERATION_NAMES.map((name) => [name, (request: unknown) => ipcRenderer.invoke(operationChannel(name), request)]),
) as unknown as Omit<PreloadApi, 'onEvent'>;

const api: PreloadApi = {
  ...operations,
  onEvent(listener) {
    const forward = (_event: unknown, batch: readonly ServerEvent[]) => batch.forEach((event) => listener(event));
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, forward);
  },
};

contextBridge.exposeInMainWorld('switchboard', api);
