import { start } from '../../server.mjs';

// The broken release: it reads products.currency, a column no migration adds, so every
// product request answers 500.
start({
  version: 'v3',
  productsSql: 'SELECT id, name, price, currency FROM products ORDER BY id',
  ordersSql: 'SELECT id, product_id, quantity, status FROM orders ORDER BY id',
});
