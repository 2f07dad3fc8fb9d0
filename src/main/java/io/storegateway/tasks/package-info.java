/** The gateway's background tasks (catalogue load, HQ's changes, reconciliation, forwarding): whether each is failing, since when and why, for the log, the status and the metrics. */
package io.storegateway.tasks;
