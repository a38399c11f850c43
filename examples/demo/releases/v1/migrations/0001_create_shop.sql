CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products (id),
  quantity INTEGER NOT NULL
);
INSERT INTO products (name, price) VALUES ('kettle', 39.9), ('teapot', 24.5), ('mug', 8.0);
INSERT INTO orders (product_id, quantity) VALUES (1, 1), (2, 2), (3, 6), (3, 2), (1, 1);
