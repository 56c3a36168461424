package dev.imagejobs.gateway.jobs;

/** A request value outside the body (header, path) that is not acceptable; answered with 400. */
class InvalidInputException extends RuntimeException {
  private final String field;

  InvalidInputException(String field, String message) {
    super(message);
    this.field = field;
  }

  String field() {
    return field;
  }
}
