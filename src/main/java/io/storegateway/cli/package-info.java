/** The command line (README, Commands, and docs/SETUP.md): run, demo, hq-simulator, validate, health, and --help. */
package io.storegateway.cli;
