/** The command line (README, Commands and Configuration): run, demo, hq-simulator, validate, health (the image's healthcheck), and --help. */
package io.storegateway.cli;
