/** The gateway's own checks for {@code /observe/health}: the broker, the mirror database, HQ, the route files. */
package io.storegateway.health;
