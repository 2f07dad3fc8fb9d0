package io.storegateway.forward;

import io.storegateway.update.InventoryUpdate;
import io.storegateway.update.UpdateType;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A change the store won a conflict with goes to HQ again, forced, after the rest of its batch. HQ has
 * meanwhile applied the SKU's later updates of that batch; sent as it was, the forced change would undo
 * them (a SET_QUANTITY 10 followed by a sale of 3 would leave 10, not 7). So the re-send carries their
 * effect on its own fields: the last value a later SET or UPSERT gave a field, and, for the quantity,
 * the later sales and deliveries as one catch-up ADJUST_QUANTITY right after it (a delta keeps any
 * result valid, a sold-out product going below zero included). Its id is derived from the change's, so
 * a batch sent again cannot apply it twice. A change whose product the store deleted later in the batch
 * is not sent again at all.
 */
record StoreCatchUp(InventoryUpdate change, InventoryUpdate adjustment, boolean superseded) {

    static StoreCatchUp of(InventoryUpdate won, List<InventoryUpdate> laterOfSku) {
        String name = won.name();
        BigDecimal price = won.price();
        Long quantity = won.quantity();
        long delta = 0;
        boolean writesQuantity = won.type() == UpdateType.SET_QUANTITY || won.type() == UpdateType.UPSERT_PRODUCT;
        boolean writesPrice = won.type() == UpdateType.SET_PRICE || won.type() == UpdateType.UPSERT_PRODUCT;
        boolean writesName = won.type() == UpdateType.UPSERT_PRODUCT;
        for (InventoryUpdate later : laterOfSku) {
            switch (later.type()) {
                case DELETE_PRODUCT -> {
                    if (won.type() != UpdateType.DELETE_PRODUCT) {
                        return new StoreCatchUp(won, null, true);
                    }
                }
                case ADJUST_QUANTITY -> delta += writesQuantity ? later.delta() : 0;
                case SET_QUANTITY -> {
                    if (writesQuantity) {
                        quantity = later.quantity();
                        delta = 0;
                    }
                }
                case SET_PRICE -> price = writesPrice ? later.price() : price;
                case UPSERT_PRODUCT -> {
                    name = writesName ? later.name() : name;
                    price = writesPrice ? later.price() : price;
                    if (writesQuantity) {
                        quantity = later.quantity();
                        delta = 0;
                    }
                }
            }
        }
        InventoryUpdate change = new InventoryUpdate(won.updateId(), won.terminalId(), won.type(), won.sku(), name, price,
                quantity, won.delta(), won.occurredAt(), won.baseVersion(), won.force());
        InventoryUpdate adjustment = delta == 0 ? null : new InventoryUpdate(idFor(won.updateId()), won.terminalId(),
                UpdateType.ADJUST_QUANTITY, won.sku(), null, null, null, delta, won.occurredAt(), null, false);
        return new StoreCatchUp(change, adjustment, false);
    }

    /** The change, forced onto HQ's version. */
    InventoryUpdate forced(long hqVersion) {
        return change.forcedOnto(hqVersion);
    }

    /** The catch-up ADJUST's id: derived from the change's, within the 64 characters an id may have. */
    static String idFor(String updateId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(("catch-up:" + updateId).getBytes(StandardCharsets.UTF_8));
            return "catch-up-" + HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
