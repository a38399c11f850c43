ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'paid';
UPDATE orders SET status = 'shipped' WHERE id <= 2;
