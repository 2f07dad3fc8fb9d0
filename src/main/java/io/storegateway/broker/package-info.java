/** The broker: the embedded Artemis (durable queues on disk, its addresses, who may use them) or a remote one. */
package io.storegateway.broker;
