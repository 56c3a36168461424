/**
 * Example consumers for other teams: they read the public topics with nothing but kafka-clients and
 * the released {@code .avsc} files, and are run by the build so they never rot.
 */
package dev.imagejobs.examples;
