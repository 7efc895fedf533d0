import { describe, expect, it } from 'vitest';
import { textFrame } from '../../../main/gateway/ws-frame';

// Reads a server frame back by RFC 6455 §5.2.
function decode(frame: Buffer): { fin: boolean; opcode: number; masked: boolean; payload: string } {
  const short = (frame[1] ?? 0) & 0x7f;
  const [length, offset] =
    short === 126 ? [frame.readUInt16BE(2), 4] : short === 127 ? [Number(frame.readBigUInt64BE(2)), 10] : [short, 2];
  expect(frame.length).toBe(offset + length);
  return { fin: ((frame[0] ?? 0) & 0x80) !== 0, opcode: (frame[0] ?? 0) & 0x0f, masked: ((frame[1] ?? 0) & 0x80) !== 0, payload: frame.toString('utf8', offset) };
}

describe('textFrame', () => {
  it.each([
    ['a short event (7-bit length)', 'x'.repeat(100)],
    ['the largest 7-bit length', 'x'.repeat(125)],
    ['a 16-bit length', 'x'.repeat(126)],
    ['the largest 16-bit length', 'x'.repeat(65_535)],
    ['a 64-bit length', 'x'.repeat(65_536)],
  ])('encodes %s as one final, unmasked text frame', (_name, payload) => {
    expect(decode(textFrame(payload))).toEqual({ fin: true, opcode: 1, masked: false, payload });
  });

  it('counts the length in bytes, not characters', () => {
    const json = JSON.stringify({ text: '¿Tenéis envío? 🚚' });
    expect(decode(textFrame(json)).payload).toBe(json);
  });
});
