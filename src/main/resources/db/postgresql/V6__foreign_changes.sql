-- Per field, the last change HQ made that did not come from this store (its version and HQ's time):
-- the *_version/_at/_by_store columns hold the last change of any origin, which a later change of the
-- store's own hides. Last-write-wins compares a conflicting update with these (README, Conflicts).
-- Null: not known (rows written before this version); a conflict is then settled as a true one.
ALTER TABLE product ADD COLUMN name_foreign_version BIGINT, ADD COLUMN name_foreign_at BIGINT,
    ADD COLUMN price_foreign_version BIGINT, ADD COLUMN price_foreign_at BIGINT,
    ADD COLUMN quantity_foreign_version BIGINT, ADD COLUMN quantity_foreign_at BIGINT,
    ADD COLUMN deleted_foreign_version BIGINT, ADD COLUMN deleted_foreign_at BIGINT;
