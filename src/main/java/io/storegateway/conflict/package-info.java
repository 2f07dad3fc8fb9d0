/** Settling conflicts between the store's and HQ's changes to one product, by policy or by a person. */
package io.storegateway.conflict;
