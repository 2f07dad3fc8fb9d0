-- Reads that must stay fast with a million updates queued: the oldest queued update (status lag)
-- and the SKUs that have queued updates (the product list).
CREATE INDEX store_update_status_received ON store_update (status, received_at);
CREATE INDEX store_update_status_sku ON store_update (status, sku);
