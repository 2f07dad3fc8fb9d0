/** The embedded Artemis broker: durable queues on disk, its addresses, and who may use them. */
package io.storegateway.broker;
