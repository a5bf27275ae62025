import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that loses connections the way a bad mobile link does: a chosen share
 * of connections is cut after a number of bytes, on the way in (the request never arrives whole)
 * or on the way out (the answer never arrives whole). The choices come from a seeded generator,
 * so a failing run repeats. `cutNext` forces the next connection's cut for a precise test.
 */
export type LossyProxy = {
  url: string;
  stats: { connections: number; cut: number; bytesUp: number; bytesDown: number };
  /** The next connection is cut after `afterBytes` in `direction`. */
  cutNext(direction: 'request' | 'response', afterBytes: number): void;
  /**
   * Whichever connection carries the `totalBytes`-th byte in `direction` (counted from now) is cut
   * there; with `stall`, it stays open but silent (a link that hangs while the app is quit).
   */
  cutAtTotal(direction: 'request' | 'response', totalBytes: number, stall?: boolean): void;
  /** From now on, this share of requests and responses is cut (0 lets everything through). */
  setDropShare(share: number): void;
  /**
   * The next request whose bytes contain `marker` gets an answer that hangs, open but silent,
   * after `afterBytes` (a download caught mid-way, to look at while it waits).
   */
  stallResponseTo(marker: string, afterBytes: number): void;
  /** Every hung connection is reset now, as the link finally gives up on them. */
  releaseStalled(): void;
  close(): Promise<void>;
};

export async function startLossyProxy(
  target: string,
  options: {
    dropShare?: number;
    seed?: number;
    maxCutBytes?: number;
    /** Roll again every this many bytes of one long transfer (a big download is one answer). */
    rollEveryBytes?: number;
  } = {},
): Promise<LossyProxy> {
  const { hostname, port } = new URL(target);
  let seed = options.seed ?? 1;
  // mulberry32: small, seeded, good enough to pick which connections to cut.
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const forced: { direction: 'request' | 'response'; afterBytes: number }[] = [];
  let atTotal: { direction: 'request' | 'response'; remaining: number; stall: boolean } | null =
    null;
  const stats = { connections: 0, cut: 0, bytesUp: 0, bytesDown: 0 };
  const sockets = new Set<Socket>();
  let dropShare = options.dropShare ?? 0;
  let stallMarker: { marker: string; afterBytes: number } | null = null;
  const stalled = new Set<() => void>();
  const server: Server = createServer((client) => {
    stats.connections += 1;
    const upstream = createConnection({ host: hostname, port: Number(port) });
    sockets.add(client);
    sockets.add(upstream);
    let plan: { direction: 'request' | 'response'; afterBytes: number; rolled?: boolean } | null =
      forced.shift() ?? null;
    // Bytes relayed on this connection in each direction, and which way the last bytes went: a
    // change of direction is a new request or a new response, and each gets its own roll.
    const passed = { request: 0, response: 0 };
    let last: 'request' | 'response' | null = null;
    let dead = false;
    let stall = false;
    const kill = (): void => {
      stats.cut += 1;
      client.destroy();
      upstream.destroy();
    };
    const relay = (from: Socket, to: Socket, direction: 'request' | 'response'): void => {
      from.on('data', (chunk: Buffer) => {
        // Past the cut nothing more gets through, in either direction.
        if (dead) return;
        const every = options.rollEveryBytes ?? Number.POSITIVE_INFINITY;
        const crossed =
          Math.floor((passed[direction] + chunk.byteLength) / every) >
          Math.floor(passed[direction] / every);
        if (last !== direction || crossed) {
          // A rolled cut aimed at the exchange that just ended (it was shorter than the cut
          // point) is over; this exchange gets its own roll.
          if (last !== direction && plan?.rolled === true) plan = null;
          last = direction;
          if (plan === null && random() < dropShare) {
            plan = {
              rolled: true,
              direction,
              afterBytes:
                passed[direction] + Math.floor(random() * (options.maxCutBytes ?? 64 * 1024)),
            };
          }
        }
        if (
          stallMarker !== null &&
          direction === 'request' &&
          chunk.toString('latin1').includes(stallMarker.marker)
        ) {
          plan = { direction: 'response', afterBytes: passed.response + stallMarker.afterBytes };
          stall = true;
          stallMarker = null;
        }
        if (atTotal !== null && atTotal.direction === direction) {
          if (chunk.byteLength >= atTotal.remaining) {
            plan = { direction, afterBytes: passed[direction] + atTotal.remaining };
            stall = atTotal.stall;
            atTotal = null;
          } else {
            atTotal.remaining -= chunk.byteLength;
          }
        }
        if (plan !== null && plan.direction === direction) {
          const room = plan.afterBytes - passed[direction];
          if (chunk.byteLength >= room) {
            if (room > 0) to.write(chunk.subarray(0, room));
            passed[direction] += Math.max(0, room);
            // The bytes before the cut arrive, then the link dies (as a dropped mobile link
            // does: some data, then silence and a reset), after the reader has had them.
            from.pause();
            dead = true;
            if (stall) {
              stats.cut += 1;
              stalled.add(() => {
                client.destroy();
                upstream.destroy();
              });
            } else setTimeout(kill, 30);
            return;
          }
        }
        passed[direction] += chunk.byteLength;
        if (direction === 'request') stats.bytesUp += chunk.byteLength;
        else stats.bytesDown += chunk.byteLength;
        to.write(chunk);
      });
      from.on('end', () => to.end());
      from.on('error', () => to.destroy());
      from.on('close', () => {
        to.destroy();
        sockets.delete(from);
      });
    };
    relay(client, upstream, 'request');
    relay(upstream, client, 'response');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    stats,
    cutNext: (direction, afterBytes) => forced.push({ direction, afterBytes }),
    cutAtTotal: (direction, totalBytes, stall = false) => {
      atTotal = { direction, remaining: totalBytes, stall };
    },
    setDropShare: (share) => {
      dropShare = share;
    },
    stallResponseTo: (marker, afterBytes) => {
      stallMarker = { marker, afterBytes };
    },
    releaseStalled: () => {
      for (const reset of stalled) reset();
      stalled.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
