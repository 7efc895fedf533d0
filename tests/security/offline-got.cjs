// Electronegativity fetches its translations and Electron's release list with `got`; with no
// network its retries crash the process. Here every such request fails at once, as offline.
const Module = require('node:module');
const offline = () => Promise.reject(new Error('offline: the scan runs without network'));
offline.head = offline;
offline.get = offline;
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'got') return { __esModule: true, default: offline };
  return load.call(this, request, ...rest);
};
