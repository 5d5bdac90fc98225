package io.sidecore.tools.stat;

/**
 * One counter as read from the counters file.
 *
 * @param counterId   Agrona counter id (the record's slot in the file).
 * @param typeId      counter type id.
 * @param label       the full label.
 * @param kind        what the counter belongs to.
 * @param ownerId     port id or sidecore index from the key; -1 for {@link CounterKind#OTHER}.
 * @param ownerName   port name (from the label) or sidecore index as text; empty for {@link CounterKind#OTHER}.
 * @param counterName the counter's stable name ({@code tx_frames}); the label for {@link CounterKind#OTHER}.
 * @param gauge       true when the value is a level (no rate is shown).
 * @param value       the value when read.
 */
record CounterEntry(
    int counterId,
    int typeId,
    String label,
    CounterKind kind,
    int ownerId,
    String ownerName,
    String counterName,
    boolean gauge,
    long value)
{
}
