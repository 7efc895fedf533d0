export * from './entities';
export * from './events';
export * from './ipc';
export * from './operations';
export * from './result';
export * from './ws-frames';
export * from './http-routes';
export * from '../domain/message-status';
