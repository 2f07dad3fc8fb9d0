-- PostgreSQL only. SKUs sort byte by byte, as Java's String order and SQLite sort them, whatever
-- collation the database was created with: the product list merges two index walks in Java
-- (Products.skusAfter), and paging with ?after=SKU needs the database's "sku > ?" to agree with it.
-- (An en_US or ICU collation puts "a_1" before "A0" and "SKU_1" before "SKU-10"; "C" does not.
-- SKUs are ASCII, where "C" and Java's order are the same.)
-- Repeatable: it runs after every versioned migration and again whenever it changes, so a column
-- added later that is compared or sorted by SKU belongs here too.
ALTER TABLE product ALTER COLUMN sku TYPE VARCHAR(64) COLLATE "C";
ALTER TABLE IF EXISTS queued_update ALTER COLUMN sku TYPE VARCHAR(64) COLLATE "C";
