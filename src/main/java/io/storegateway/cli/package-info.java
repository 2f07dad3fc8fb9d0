/** The command line (README, Commands and Configuration): run, demo, hq-simulator, validate, health, and --help. */
package io.storegateway.cli;
