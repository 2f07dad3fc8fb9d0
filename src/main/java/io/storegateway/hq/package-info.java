/** The HQ protocol (CONTRACT §5): its records and results, and the reference HQ simulator. */
package io.storegateway.hq;
