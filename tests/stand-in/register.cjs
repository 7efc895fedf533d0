// Loaded with `node --require` before the built main process (or the gateway's utility process):
// `require('electron')` gets the stand-in (electron.cjs), and a utility process gets Electron's
// `process.parentPort` over Node's IPC channel. Nothing here changes what the app's code does.
const Module = require('node:module');
const path = require('node:path');
const { EventEmitter } = require('node:events');

const standIn = path.join(__dirname, 'electron.cjs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveElectron(request, ...rest) {
  return request === 'electron' ? standIn : resolve.call(this, request, ...rest);
};

if (process.env.ELECTRON_STAND_IN_ROLE === 'utility') {
  // Electron's parentPort: messages from the main process as { data, ports }, postMessage back.
  const parentPort = new EventEmitter();
  parentPort.postMessage = (message) => {
    if (process.connected) process.send(message, undefined, {}, () => undefined);
  };
  process.on('message', (data) => parentPort.emit('message', { data, ports: [] }));
  // Electron's utility process does not end when its port is idle; a closed channel means the parent is gone.
  process.on('disconnect', () => process.exit(0));
  process.parentPort = parentPort;
}
