/** The command line (CONTRACT §1): run, demo, hq-simulator, validate. */
package io.storegateway.cli;
