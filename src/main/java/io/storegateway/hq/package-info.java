/** The HQ protocol (README, The HQ protocol): its records and results, and the reference HQ simulator. */
package io.storegateway.hq;
