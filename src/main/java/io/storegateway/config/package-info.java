/** Reading the gateway's settings: config file, then environment variables, then -D system properties. */
package io.storegateway.config;
