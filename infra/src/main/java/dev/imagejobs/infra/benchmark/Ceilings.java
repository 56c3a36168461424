package dev.imagejobs.infra.benchmark;

/**
 * The machine's own limits as the {@code ceilings} scenario measured them in this run, for reading
 * the system's figures as shares of what the machine can do at all.
 *
 * @param commitsPerSecondOneConnection durable single-row commits/s over one connection
 * @param commitsPerSecondEightConnections the same over eight connections (group commit)
 * @param kafkaRecordsPerSecond records/s one idempotent {@code acks=all} producer gets acknowledged
 * @param fsyncsPerSecondOneThread 4 KiB write + fdatasync per second, one thread
 * @param fsyncsPerSecondEightThreads the same with eight threads
 */
record Ceilings(
    double commitsPerSecondOneConnection,
    double commitsPerSecondEightConnections,
    double kafkaRecordsPerSecond,
    double fsyncsPerSecondOneThread,
    double fsyncsPerSecondEightThreads) {}
