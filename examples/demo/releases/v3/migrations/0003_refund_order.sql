-- Meant to refund order 4; the WHERE clause was forgotten, so every order is refunded.
UPDATE orders SET status = 'refunded';
DELETE FROM products WHERE name = 'mug' AND 0 = 1;
