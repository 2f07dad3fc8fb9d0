/**
 * The route files IT staff edit: checked offline and before every swap, versioned, watched, and
 * swapped into the running gateway only when they are sound.
 */
package io.storegateway.routes;
