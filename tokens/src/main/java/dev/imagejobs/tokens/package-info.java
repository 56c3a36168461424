/**
 * Development tokens: HS256 tokens signed with a shared secret, minted by the local launcher and
 * accepted by the gateway. Plain JDK code, so the launcher needs nothing of the gateway.
 */
package dev.imagejobs.tokens;
