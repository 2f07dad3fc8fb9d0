/** Who may do what: terminal and admin tokens (stored hashed), and the same users on the broker. */
package io.storegateway.security;
