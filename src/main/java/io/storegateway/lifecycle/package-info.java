/** Stopping the gateway's parts in the reverse of the order they started. */
package io.storegateway.lifecycle;
