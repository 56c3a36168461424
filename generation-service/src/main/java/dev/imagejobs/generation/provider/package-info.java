/**
 * The image provider SPI: a request in, an artifact (bytes, base64 or URL) with usage and cost out,
 * or a classified error.
 */
package dev.imagejobs.generation.provider;
