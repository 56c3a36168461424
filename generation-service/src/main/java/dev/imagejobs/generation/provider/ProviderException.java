package dev.imagejobs.generation.provider;

/** A classified provider failure: what went wrong, in terms that decide whether to try again. */
public class ProviderException extends RuntimeException {
  private final ErrorClass errorClass;
  private final String code;

  public ProviderException(ErrorClass errorClass, String code, String message) {
    this(errorClass, code, message, null);
  }

  public ProviderException(ErrorClass errorClass, String code, String message, Throwable cause) {
    super(message, cause);
    this.errorClass = errorClass;
    this.code = code;
  }

  public ErrorClass errorClass() {
    return errorClass;
  }

  /** The provider's status or reason, e.g. {@code 503} or {@code RESOURCE_EXHAUSTED}; may be null. */
  public String code() {
    return code;
  }
}
