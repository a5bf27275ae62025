import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export type RawReply = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
};

/**
 * A request to the loopback host with every header under the test's control (Host and Origin
 * included, as a hostile page or DNS rebinding would send them); `fetch` would set its own.
 */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers: { Host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Bytes written straight to the host's socket, as any local process can: no HTTP client stands
 * between the test and a malformed Host header, request line or upgrade. Resolves with whatever
 * the host answered once it closes the connection (or `idleMs` passes without more data).
 */
export function rawSocket(port: number, bytes: string | Buffer, idleMs = 500): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const finish = () => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    let idle = setTimeout(finish, idleMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      clearTimeout(idle);
      idle = setTimeout(finish, idleMs);
    });
    socket.on('close', () => {
      clearTimeout(idle);
      finish();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(idle);
      // The host may reset a connection it refuses; what it sent before still counts.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') finish();
      else reject(error);
    });
    socket.write(bytes);
  });
}
