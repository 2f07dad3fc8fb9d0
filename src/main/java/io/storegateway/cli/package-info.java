/** The command line (README, Commands and Configuration): run, demo, hq-simulator, validate. */
package io.storegateway.cli;
