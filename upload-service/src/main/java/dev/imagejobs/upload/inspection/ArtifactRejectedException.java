package dev.imagejobs.upload.inspection;

/** A staged artifact failed a check; the message says which, for the job's failure reason. */
public class ArtifactRejectedException extends RuntimeException {
  public ArtifactRejectedException(String message) {
    super(message);
  }
}
