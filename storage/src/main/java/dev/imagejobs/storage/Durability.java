package dev.imagejobs.storage;

/**
 * What a write must survive once {@link BlobStore#putIfAbsent} has returned. Every write survives a
 * crash of the writing process, since an object appears whole or not at all; only some must also
 * survive a crash of the machine (power loss, kernel panic), which on a local disk costs a few
 * {@code fsync} calls per write. docs/storage.md says which object needs which.
 */
public enum Durability {
  /**
   * Bytes, metadata and the object's place in its folder are on stable storage before the call
   * returns: for objects that an event announces (staged and final images) or that a promise rests
   * on (cancel markers). The default.
   */
  SURVIVES_MACHINE_CRASH,

  /**
   * The object survives a crash of the process at once, and a crash of the machine only once the
   * operating system has written it out on its own (within seconds): for objects whose loss after a
   * power cut is harmless.
   */
  SURVIVES_PROCESS_CRASH
}
