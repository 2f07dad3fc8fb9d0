/** The HQ protocol (docs/HQ-PROTOCOL.md): its records and results; the reference HQ that speaks it is in {@code hq.simulator}. */
package io.storegateway.hq;
