package dev.imagejobs.streams.completion;

/** A decodable lifecycle record that cannot be processed, e.g. keyed by another job's id. */
class UnprocessableRecordException extends RuntimeException {
  UnprocessableRecordException(String message) {
    super(message);
  }
}
