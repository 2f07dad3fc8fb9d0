/** The disks the gateway writes to: the free-space floor under ingest, and what IT sees of it. */
package io.storegateway.storage;
