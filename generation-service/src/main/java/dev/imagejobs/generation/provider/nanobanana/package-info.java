/**
 * The {@code nano-banana} provider: Gemini image models over the Gemini REST API, with the mapping of
 * its errors to error classes and of its token usage to a cost.
 */
package dev.imagejobs.generation.provider.nanobanana;
