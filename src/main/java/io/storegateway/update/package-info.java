/** The update message (docs/HTTP-API.md, the update message): the value every capability passes along, and its JSON form. */
package io.storegateway.update;
