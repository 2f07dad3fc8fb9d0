/**
 * The HQ protocol (docs/HQ-PROTOCOL.md): its records and results, and HQ's feeds read through the
 * {@code hq-*} route files ({@code HqFeeds}); the reference HQ that speaks it is in {@code hq.simulator}.
 */
package io.storegateway.hq;
