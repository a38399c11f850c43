/**
 * A TCP fault proxy on 127.0.0.1 in front of a database server: it forwards every connection
 * unchanged, counting the bytes each one carries, and cuts (destroys both sockets of) any
 * connection that has carried more than a threshold in the watched direction — the connection
 * carrying the bulk data (pg_dump's COPY out, pg_restore's COPY in), while the small control
 * connections beside it (the action's own queries, its cleanup) keep working. The fault
 * proxy for HTTP (fault-proxy.ts) works on requests, so it cannot do this for a wire protocol.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface CutRule {
  /** `server`: bytes the server sends (a dump); `client`: bytes the client sends (a restore) */
  direction: 'server' | 'client';
  /** cut a connection once it has carried more than this many bytes that way */
  afterBytes: number;
}

export interface TcpCutter {
  port: number;
  /** how many connections were cut, and how many bytes the biggest carried when it was */
  cuts: Array<{ bytes: number }>;
  connections: number;
  /** the rule in force; undefined: pass everything */
  setRule(rule: CutRule | undefined): void;
  stop(): Promise<void>;
}

export async function startTcpCutter(target: { port: number }): Promise<TcpCutter> {
  let rule: CutRule | undefined;
  const cuts: Array<{ bytes: number }> = [];
  const open = new Set<Socket>();
  let connections = 0;

  const server = createServer((client) => {
    connections++;
    const upstream = connect({ host: '127.0.0.1', port: target.port });
    open.add(client).add(upstream);
    let fromServer = 0;
    let fromClient = 0;
    let cut = false;
    const cutNow = (bytes: number): void => {
      if (cut) return;
      cut = true;
      cuts.push({ bytes });
      // destroy, not end: the peers see a reset connection, as on a dropped network link
      client.destroy();
      upstream.destroy();
    };
    upstream.on('data', (chunk: Buffer) => {
      fromServer += chunk.length;
      if (rule?.direction === 'server' && fromServer > rule.afterBytes) return cutNow(fromServer);
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('data', (chunk: Buffer) => {
      fromClient += chunk.length;
      if (rule?.direction === 'client' && fromClient > rule.afterBytes) return cutNow(fromClient);
      if (!upstream.write(chunk)) client.pause();
    });
    client.on('drain', () => upstream.resume());
    upstream.on('drain', () => client.resume());
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    cuts,
    get connections() {
      return connections;
    },
    setRule(next) {
      rule = next;
    },
    async stop() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
