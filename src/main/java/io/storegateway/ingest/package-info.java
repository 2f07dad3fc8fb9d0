/** Taking updates in from terminals (HTTP and JMS): validate, store durably, answer with a receipt. */
package io.storegateway.ingest;
