package io.storegateway.security;

/** An authenticated user: a terminal or an IT person. */
public record Principal(String name, Role role) {
}
