-- Every accepted update inserts a store_update row on the ingest path, and each index is one more
-- B-tree to write. This one is covered by the indexes that start with status
-- (store_update_status_received, store_update_status_sku).
DROP INDEX store_update_status;
