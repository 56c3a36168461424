package dev.imagejobs.gateway.web;

/**
 * One invalid value in a problem's {@code errors} array.
 *
 * @param field the body field, path variable, query parameter or header
 * @param message what is wrong with it
 */
public record FieldMessage(String field, String message) {}
