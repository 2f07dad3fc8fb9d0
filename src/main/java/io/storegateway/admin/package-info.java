/** IT staff's API (docs/OPERATING.md, IT staff): status, the last hour's history for the console, the DLQ and invalid queue, reconciliation, metrics. */
package io.storegateway.admin;
