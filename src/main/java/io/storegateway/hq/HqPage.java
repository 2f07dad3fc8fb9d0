package io.storegateway.hq;

import java.util.List;

/**
 * One page of an HQ feed, as records: the cursor it was asked with, its records, and the cursor to ask
 * the next page with (null: HQ has no more).
 */
public record HqPage(String asked, List<ProductRecord> records, String next) {
}
