/** The update message (CONTRACT §2): the value every capability passes along, and its JSON form. */
package io.storegateway.update;
