import { start } from '../../server.mjs';

start({
  version: 'v1',
  productsSql: 'SELECT id, name, price FROM products ORDER BY id',
  ordersSql: 'SELECT id, product_id, quantity FROM orders ORDER BY id',
});
