import crypto from 'node:crypto';
import net from 'node:net';

/**
 * A WebSocket client written by hand, for the clients no library would be: one that sends frames
 * as it likes and one that never reads what it is sent.
 */
export async function connectRawWebSocket(url: string): Promise<net.Socket> {
  const { hostname, port, pathname, search } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {}); // the server may reset a client it drops
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const key = crypto.randomBytes(16).toString('base64');
  socket.write(
    [
      `GET ${pathname}${search} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (head.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(head.split('\r\n')[0]));
    };
    socket.on('data', onData);
  });
  return socket;
}

/** One client-to-server frame (masked, as RFC 6455 requires of clients). */
export function clientFrame(payload: Buffer | string, opcode = 0x1, fin = true): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const mask = crypto.randomBytes(4);
  const length =
    body.length < 126
      ? Buffer.from([body.length | 0x80])
      : body.length < 65_536
        ? Buffer.from([126 | 0x80, body.length >> 8, body.length & 0xff])
        : Buffer.concat([Buffer.from([127 | 0x80]), bigEndian64(body.length)]);
  const masked = Buffer.from(body.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode]), length, mask, masked]);
}

function bigEndian64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}
