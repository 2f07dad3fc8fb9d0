/** IT staff's API (CONTRACT §6): the gateway's status, and later the DLQ, conflicts and reconciliation. */
package io.storegateway.admin;
