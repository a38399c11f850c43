/**
 * A forward proxy on 127.0.0.1 like a corporate one: CONNECT tunnels (what clients use for
 * https targets, and undici for every target) and absolute-form requests for http targets.
 * It records every request, and it resolves host names of the `.proxy.test` domain to
 * 127.0.0.1 itself: a target named that way cannot be reached except through the proxy,
 * so a test knows the request went through it.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export const PROXY_ONLY_DOMAIN = 'proxy.test';

export interface ProxiedRequest {
  /** CONNECT, or the method of an absolute-form request */
  method: string;
  /** `host:port` */
  target: string;
  /** the path for absolute-form requests */
  path?: string;
  /** the Proxy-Authorization header, when sent */
  proxyAuthorization?: string;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: ProxiedRequest[];
  /** the requests whose target host is `host` (any port) */
  seen(host: string): ProxiedRequest[];
  stop(): Promise<void>;
}

function resolveHost(host: string): string {
  return host === PROXY_ONLY_DOMAIN || host.endsWith(`.${PROXY_ONLY_DOMAIN}`) ? '127.0.0.1' : host;
}

function splitTarget(target: string): { host: string; port: number } {
  const i = target.lastIndexOf(':');
  return { host: target.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(target.slice(i + 1)) };
}

export async function startForwardProxy(): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    requests.push({
      method: req.method ?? 'GET',
      target: url.host,
      path: url.pathname + url.search,
      proxyAuthorization: req.headers['proxy-authorization'],
    });
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      {
        host: resolveHost(url.hostname),
        port: Number(url.port || 80),
        method: req.method,
        path: url.pathname + url.search,
        headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    requests.push({
      method: 'CONNECT',
      target,
      proxyAuthorization: req.headers['proxy-authorization'],
    });
    const { host, port } = splitTarget(target);
    const upstream = connect(port, resolveHost(host), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    seen: (host) => requests.filter((r) => splitTarget(r.target).host === host),
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
