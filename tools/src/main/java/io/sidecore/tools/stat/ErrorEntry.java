package io.sidecore.tools.stat;

/**
 * One distinct error from the counters file's error log.
 *
 * @param observationCount       times it was observed.
 * @param firstObservationMs     epoch ms of the first observation.
 * @param lastObservationMs      epoch ms of the last observation.
 * @param encodedException       the exception with its stack trace, as the daemon recorded it.
 */
record ErrorEntry(int observationCount, long firstObservationMs, long lastObservationMs, String encodedException)
{
}
