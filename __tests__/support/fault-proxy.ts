/**
 * A fault-injecting reverse proxy on 127.0.0.1 in front of a real server (the registry):
 * it passes requests through unchanged (the Host header too, so the registry's upload
 * Locations point back at the proxy) except those a rule picks, which get a status
 * (503 with or without Retry-After), a connection cut halfway through the request body, or
 * a body throttled to a trickle. Every request is recorded with what happened to it.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string }
  /** forwards half the request body, then drops both connections */
  | { kind: 'cut' }
  /** forwards the request body at this rate */
  | { kind: 'slow'; bytesPerSecond: number };

export interface FaultRule {
  method?: string;
  /** matched against the path and query */
  path?: RegExp;
  /** matched against the User-Agent (e.g. only the action's own client, not buildah) */
  userAgent?: RegExp;
  /** how many matching requests get the fault; Infinity for all */
  times: number;
  fault: Fault;
}

export interface ProxiedCall {
  method: string;
  path: string;
  /** the fault applied, if any: `503`, `cut`, `slow` */
  fault?: string;
  /** the status sent back (undefined: the connection was cut or is still open) */
  status?: number;
  userAgent?: string;
}

export interface FaultProxy {
  /** `127.0.0.1:<port>`: use it as the registry host */
  host: string;
  port: number;
  calls: ProxiedCall[];
  /** replaces the rules (each with its own count) */
  setRules(rules: FaultRule[]): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: { port: number }): Promise<FaultProxy> {
  let rules: Array<FaultRule & { used: number }> = [];
  const calls: ProxiedCall[] = [];
  const sockets = new Set<Socket>();

  const pick = (req: IncomingMessage): Fault | undefined => {
    for (const rule of rules) {
      if (rule.used >= rule.times) continue;
      if (rule.method && rule.method !== req.method) continue;
      if (rule.path && !rule.path.test(req.url ?? '')) continue;
      if (rule.userAgent && !rule.userAgent.test(req.headers['user-agent'] ?? '')) continue;
      rule.used++;
      return rule.fault;
    }
    return undefined;
  };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    call: ProxiedCall,
    fault?: Fault,
  ): void => {
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        call.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    if (!fault) {
      req.pipe(upstream);
      return;
    }
    const total = Number(req.headers['content-length'] ?? '0');
    let sent = 0;
    req.on('data', (chunk: Buffer) => {
      if (fault.kind === 'cut') {
        const room = Math.floor(total / 2) - sent;
        if (room <= 0) return;
        const part = chunk.subarray(0, room);
        upstream.write(part);
        sent += part.length;
        if (sent >= Math.floor(total / 2)) {
          upstream.destroy();
          req.socket.destroy();
        }
        return;
      }
      if (fault.kind === 'slow') {
        req.pause();
        upstream.write(chunk);
        setTimeout(() => req.resume(), (chunk.length / fault.bytesPerSecond) * 1000);
      }
    });
    req.on('end', () => upstream.end());
  };

  const server = createServer((req, res) => {
    const call: ProxiedCall = {
      method: req.method ?? 'GET',
      path: req.url ?? '',
      userAgent: req.headers['user-agent'],
    };
    calls.push(call);
    const fault = pick(req);
    if (fault?.kind === 'status') {
      call.fault = String(fault.status);
      call.status = fault.status;
      req.resume();
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      res.writeHead(fault.status, headers).end(
        JSON.stringify({
          errors: [{ code: 'UNAVAILABLE', message: 'injected by the fault proxy' }],
        }),
      );
      return;
    }
    if (fault) call.fault = fault.kind;
    forward(req, res, call, fault);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    port,
    calls,
    setRules(next) {
      rules = next.map((r) => ({ ...r, used: 0 }));
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
