import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/**
 * A link that loses work the way a flaky mobile network does, in front of the real server:
 * with probability `dropRequest` the connection is reset before the request is forwarded (the
 * server never sees it); with probability `dropResponse` it is reset after the server answered
 * (the server committed, the client never hears). The client can tell neither apart from a
 * timeout, which is the case idempotency keys exist for.
 */
export type LossyProxy = {
  url: string;
  stats: { requests: number; droppedRequests: number; droppedResponses: number; delivered: number };
  /** Points the link at another server (a restarted one, or one of several). */
  setUpstreams(upstreams: readonly string[]): void;
  close(): Promise<void>;
};

export async function startLossyProxy(
  upstreams: readonly string[],
  options: { dropRequest: number; dropResponse: number; random?: () => number },
): Promise<LossyProxy> {
  const random = options.random ?? Math.random;
  let targets = upstreams.map((u) => new URL(u));
  let next = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const stats = { requests: 0, droppedRequests: 0, droppedResponses: 0, delivered: 0 };
  const server = createServer((req, res) => {
    stats.requests += 1;
    if (random() < options.dropRequest) {
      stats.droppedRequests += 1;
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // Round robin over the servers: a retry usually lands on another process than the first try.
      const target = targets[next++ % targets.length];
      if (target === undefined) {
        req.socket.destroy();
        return;
      }
      const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers,
          agent,
        },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            if (random() < options.dropResponse) {
              stats.droppedResponses += 1;
              req.socket.destroy();
              return;
            }
            stats.delivered += 1;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      // The server is down (killed mid-test): the client sees a reset, as it would.
      upstream.on('error', () => req.socket.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    stats,
    setUpstreams(list) {
      targets = list.map((u) => new URL(u));
    },
    close: () =>
      new Promise<void>((done) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
