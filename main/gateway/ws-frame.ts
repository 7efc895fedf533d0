/**
 * A complete WebSocket text frame as a server sends it (RFC 6455 §5.2: FIN, opcode 1, unmasked),
 * so an event can be encoded once and the same bytes written to every client.
 */
export function textFrame(json: string): Buffer {
  const payloadLength = Buffer.byteLength(json);
  const headerLength = payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + payloadLength);
  frame[0] = 0x81;
  if (headerLength === 2) {
    frame[1] = payloadLength;
  } else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(payloadLength, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(payloadLength), 2);
  }
  frame.write(json, headerLength, 'utf8');
  return frame;
}
