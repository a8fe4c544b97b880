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

/**
 * The code of the close frame the server sends on a raw socket (frames before it are skipped),
 * or undefined if the connection ends without one.
 */
export function serverCloseCode(socket: net.Socket): Promise<number | undefined> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const finish = (code: number | undefined) => {
      socket.off('data', onData);
      resolve(code);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (buffered.length < 2) return;
        const opcode = buffered[0]! & 0x0f;
        let length = buffered[1]! & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffered.length < 4) return;
          length = buffered.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffered.length < 10) return;
          length = Number(buffered.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffered.length < offset + length) return;
        if (opcode === 0x8) return finish(length >= 2 ? buffered.readUInt16BE(offset) : 1005);
        buffered = buffered.subarray(offset + length);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => finish(undefined));
  });
}
