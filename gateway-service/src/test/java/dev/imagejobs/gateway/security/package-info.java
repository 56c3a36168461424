/**
 * Tests of token verification: development tokens, the configuration that chooses the key, JWKS
 * keys, and the tenant claim.
 */
package dev.imagejobs.gateway.security;
