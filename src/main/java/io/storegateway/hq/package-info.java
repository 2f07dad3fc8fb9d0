/** The HQ protocol (docs/HQ-PROTOCOL.md): its records and results, and the reference HQ simulator. */
package io.storegateway.hq;
