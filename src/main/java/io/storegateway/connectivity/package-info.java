/** Is HQ reachable? A timer pings HQ's health endpoint and keeps the online/offline state. */
package io.storegateway.connectivity;
