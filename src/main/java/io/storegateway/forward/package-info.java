/** Forwarding the outbound queue to HQ in batches, and recording HQ's answers before the queue lets go. */
package io.storegateway.forward;
