package dev.imagejobs.storage;

/** What a create-if-absent write did. */
public enum PutOutcome {
  CREATED,
  ALREADY_EXISTS
}
