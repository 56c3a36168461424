/**
 * Who is calling: Bearer JWTs verified with an HMAC secret or a JWKS, the tenant taken from a
 * claim, problem answers for missing or bad tokens, and development tokens for the local stack.
 */
package dev.imagejobs.gateway.security;
