import { describe, expect, it } from 'vitest';
import { fillPath, HTTP_ROUTES, MAX_TEXT_LENGTH, OPERATION_NAMES, operationChannel, operations, pathParameters } from '../../../shared/contract';

describe('sendMessage request schema', () => {
  const schema = operations.sendMessage.request;

  it('accepts a text reply and coerces the conversation id from a path string', () => {
    expect(schema.parse({ conversation_id: '7', text: 'hi' })).toEqual({ conversation_id: 7, text: 'hi' });
  });

  it('refuses empty and whitespace-only text', () => {
    expect(schema.safeParse({ conversation_id: 1, text: '' }).success).toBe(false);
    expect(schema.safeParse({ conversation_id: 1, text: '   \n' }).success).toBe(false);
  });

  it('refuses text over Meta’s 4,096 characters and accepts exactly 4,096', () => {
    expect(schema.safeParse({ conversation_id: 1, text: 'a'.repeat(MAX_TEXT_LENGTH + 1) }).success).toBe(false);
    expect(schema.safeParse({ conversation_id: 1, text: 'a'.repeat(MAX_TEXT_LENGTH) }).success).toBe(true);
  });

  it('refuses unknown fields', () => {
    expect(schema.safeParse({ conversation_id: 1, text: 'x', user_id: 3 }).success).toBe(false);
  });
});

describe('derived names', () => {
  it('gives every operation its own IPC channel and an HTTP route', () => {
    const channels = OPERATION_NAMES.map(operationChannel);
    expect(new Set(channels).size).toBe(OPERATION_NAMES.length);
    for (const name of OPERATION_NAMES) expect(HTTP_ROUTES[name].path.startsWith('/api/')).toBe(true);
  });

  it('fills path parameters, encoding them', () => {
    expect(pathParameters(HTTP_ROUTES.listMessages.path)).toEqual(['conversation_id']);
    expect(fillPath(HTTP_ROUTES.listMessages.path, { conversation_id: 'a/b' })).toBe('/api/conversations/a%2Fb/messages');
  });
});
