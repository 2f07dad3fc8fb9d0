/** The command line (README, Commands, and docs/SETUP.md): run, demo, hq-simulator, validate. */
package io.storegateway.cli;
