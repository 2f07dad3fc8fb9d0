/** The local SQL mirror: HQ's acknowledged state, the store's accepted updates, and the audit of changes. */
package io.storegateway.mirror;
