/** The update message (README, Terminals: the update message): the value every capability passes along, and its JSON form. */
package io.storegateway.update;
