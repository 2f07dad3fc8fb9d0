package io.storegateway.mirror;

import io.storegateway.hq.ProductRecord;

import java.math.BigDecimal;

/**
 * What a terminal sees of a product (docs/HTTP-API.md and docs/JMS.md): HQ's acknowledged record with the store's pending
 * updates applied on top, so stock levels are right while offline.
 */
public record ProductView(String sku, String name, BigDecimal price, long quantity, Long version, boolean deleted,
                          SyncState syncState, int pending, ProductRecord hq) {

    public enum SyncState { SYNCED, PENDING, CONFLICT }
}
