/** IT staff's API (CONTRACT §6): status, the last hour's history for the console, the DLQ and invalid queue, reconciliation, metrics. */
package io.storegateway.admin;
