// The demo shop: a tiny Node http app on an embedded SQLite database (node:sqlite, Node 24).
// Each release (releases/<ref>/app.mjs) starts it with its own behaviour. The database is
// opened per request, so a restore that replaces the file is seen at once.
import { createServer } from 'node:http';
import { DatabaseSync } from 'node:sqlite';

function databasePath() {
  const url = process.env.DATABASE_URL ?? '';
  if (!url.startsWith('sqlite://')) throw new Error('DATABASE_URL must be sqlite:///absolute/path');
  return url.slice('sqlite://'.length);
}

function query(sql) {
  const db = new DatabaseSync(databasePath(), { readOnly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

export function start({ version, productsSql, ordersSql }) {
  const routes = {
    '/healthz': () => ({ ok: true, version }),
    '/version': () => ({ version }),
    '/api/products': () => query(productsSql),
    '/api/orders': () => query(ordersSql),
  };
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    try {
      const body = JSON.stringify(route());
      res.writeHead(200, { 'content-type': 'application/json', 'x-version': version }).end(body);
    } catch (err) {
      res
        .writeHead(500, { 'content-type': 'application/json', 'x-version': version })
        .end(JSON.stringify({ error: String(err.message ?? err) }));
    }
  });
  const port = Number(process.env.DEMO_PORT);
  server.listen(port, '127.0.0.1', () => console.log(`demo app ${version} on 127.0.0.1:${port}`));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
