/** The local SQL mirror (SQLite, or PostgreSQL): HQ's acknowledged state, the updates queued and settled, the audit of changes, and their upkeep. */
package io.storegateway.mirror;
