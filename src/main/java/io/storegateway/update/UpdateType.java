package io.storegateway.update;

/** The kinds of change a terminal can make to a product. */
public enum UpdateType {
    UPSERT_PRODUCT,
    SET_QUANTITY,
    ADJUST_QUANTITY,
    SET_PRICE,
    DELETE_PRODUCT
}
