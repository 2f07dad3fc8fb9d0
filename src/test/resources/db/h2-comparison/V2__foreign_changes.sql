-- As SQLite's V2: per field, HQ's last change that did not come from this store.
ALTER TABLE product ADD COLUMN name_foreign_version BIGINT;
ALTER TABLE product ADD COLUMN name_foreign_at BIGINT;
ALTER TABLE product ADD COLUMN price_foreign_version BIGINT;
ALTER TABLE product ADD COLUMN price_foreign_at BIGINT;
ALTER TABLE product ADD COLUMN quantity_foreign_version BIGINT;
ALTER TABLE product ADD COLUMN quantity_foreign_at BIGINT;
ALTER TABLE product ADD COLUMN deleted_foreign_version BIGINT;
ALTER TABLE product ADD COLUMN deleted_foreign_at BIGINT;
