import { start } from '../../server.mjs';

// v2 shows each order's status (added by migration 0002).
start({
  version: 'v2',
  productsSql: 'SELECT id, name, price FROM products ORDER BY id',
  ordersSql: 'SELECT id, product_id, quantity, status FROM orders ORDER BY id',
});
