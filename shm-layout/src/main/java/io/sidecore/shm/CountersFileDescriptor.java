package io.sidecore.shm;

import org.agrona.DirectBuffer;
import org.agrona.SemanticVersion;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.CountersReader;

/**
 * Layout of the sidecore counters file, {@value #FILE_NAME}, which the daemon creates and fills and which operator
 * tools map read-only (in the manner of Aeron's CnC file).
 * <pre>
 *   file
 *   0                       +----------------------------+
 *                           |  metadata (below)          |
 *   END_OF_METADATA_OFFSET  +----------------------------+
 *                           |  counters metadata         |  Agrona CountersManager metadata records
 *                           +----------------------------+
 *                           |  counters values           |  Agrona CountersManager value records
 *                           +----------------------------+
 *                           |  port faults               |  one PortFaultDescriptor record per port slot
 *                           +----------------------------+
 *                           |  error log                 |  Agrona DistinctErrorLog
 *                           +----------------------------+
 *
 *   metadata (native byte order, little-endian on x86-64)
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+  written once, before signalReady
 *   |                        magic 'SCCF'                           | 0
 *   +---------------------------------------------------------------+
 *   |          version (SemanticVersion, written last)              | 4
 *   +---------------------------------------------------------------+
 *   |                      daemon pid (64 bits)                     | 8
 *   +---------------------------------------------------------------+
 *   |            start timestamp, epoch ms (64 bits)                | 16
 *   +---------------------------------------------------------------+
 *   |                 counters metadata length                      | 24
 *   +---------------------------------------------------------------+
 *   |                  counters values length                       | 28
 *   +---------------------------------------------------------------+
 *   |                     error log length                          | 32
 *   +---------------------------------------------------------------+
 *   |                    port faults length                         | 36
 *   +---------------------------------------------------------------+
 *   |                     reserved up to 128                        | 40
 *   +---------------------------------------------------------------+  written periodically (128-byte boundary)
 *   |         heartbeat, epoch ms (64 bits, release store)          | 128
 *   +---------------------------------------------------------------+
 *   |                     reserved up to 256                        | 136
 *   +---------------------------------------------------------------+  END_OF_METADATA_OFFSET = 256
 * </pre>
 * <b>Writer.</b> The daemon sizes the file with {@link #computeFileLength}, maps it, calls {@link #fillMetaData}
 * (which zeroes the version first), builds a {@code CountersManager} over
 * {@link #createCountersMetaDataBuffer}/{@link #createCountersValuesBuffer} and a {@code DistinctErrorLog} over
 * {@link #createErrorLogBuffer}, takes the port fault records ({@link PortFaultDescriptor}) from
 * {@link #createPortFaultsBuffer}, then calls {@link #signalReady}, which writes {@link #COUNTERS_FILE_VERSION} last
 * with a volatile store. While it runs it calls {@link #updateHeartbeat} every second or so.
 * <p>
 * <b>Reader.</b> A tool maps the file, waits while {@link #version} is 0, then calls {@link #checkVersion},
 * {@link #checkMagic} and {@link #checkLength} (or {@link #checkReady} for all three), and only then slices the
 * sections. {@link #heartbeatMs} tells it whether the daemon is alive.
 * <p>
 * <b>Versions.</b> 1.0.0: metadata, counters, error log. 2.0.0: the port fault section between the counters values
 * and the error log, and its length in the metadata (a 1.x reader would take the fault records for the error log,
 * hence the new major).
 */
public final class CountersFileDescriptor
{
    /** File name inside the configured directory. */
    public static final String FILE_NAME = "sidecore-counters.dat";
    /**
     * Default directory of the counters file: in shared memory ({@code tmpfs}), so counter updates never cause disk
     * writes. The daemon's configuration and {@code sidecore stat} both default to it.
     */
    public static final String DEFAULT_DIRECTORY = "/dev/shm/sidecore";
    /** Default path of the counters file, {@value}: {@link #FILE_NAME} in {@link #DEFAULT_DIRECTORY}. */
    public static final String DEFAULT_FILE = DEFAULT_DIRECTORY + "/" + FILE_NAME;

    /** 'SCCF' little-endian: the bytes 'S', 'C', 'C', 'F' in memory. */
    public static final int MAGIC = 0x46434353;
    /** Major version: readers reject a different major. */
    public static final int MAJOR_VERSION = 2;
    /** Minor version: readers reject a file older than the minor they were built for. */
    public static final int MINOR_VERSION = 0;
    /** Patch version: ignored by readers. */
    public static final int PATCH_VERSION = 0;
    /** The version written last by {@link #signalReady}. */
    public static final int COUNTERS_FILE_VERSION =
        SemanticVersion.compose(MAJOR_VERSION, MINOR_VERSION, PATCH_VERSION);

    /** Magic, written by {@link #fillMetaData}. */
    public static final int MAGIC_FIELD_OFFSET;
    /** Version, written last by {@link #signalReady}. */
    public static final int VERSION_FIELD_OFFSET;
    /** Daemon process id. */
    public static final int PID_FIELD_OFFSET;
    /** Daemon start time, epoch milliseconds. */
    public static final int START_TIMESTAMP_FIELD_OFFSET;
    /** Length of the counters metadata section. */
    public static final int COUNTERS_METADATA_LENGTH_FIELD_OFFSET;
    /** Length of the counters values section. */
    public static final int COUNTERS_VALUES_LENGTH_FIELD_OFFSET;
    /** Length of the error log section. */
    public static final int ERROR_LOG_LENGTH_FIELD_OFFSET;
    /** Length of the port fault section (a multiple of {@link PortFaultDescriptor#RECORD_LENGTH}, may be 0). */
    public static final int PORT_FAULTS_LENGTH_FIELD_OFFSET;
    /** Heartbeat, epoch milliseconds, updated periodically by the daemon; its own writer group. */
    public static final int HEARTBEAT_FIELD_OFFSET;
    /** Length of the metadata block; the counters metadata section starts here. */
    public static final int END_OF_METADATA_OFFSET;

    /** Bytes of counters metadata per counter value record (Agrona: 512 / 128). */
    public static final int METADATA_TO_VALUES_RATIO = CountersReader.METADATA_LENGTH / CountersReader.COUNTER_LENGTH;

    static
    {
        int offset = 0;
        MAGIC_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        VERSION_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        PID_FIELD_OFFSET = offset;
        offset += Long.BYTES;
        START_TIMESTAMP_FIELD_OFFSET = offset;
        offset += Long.BYTES;
        COUNTERS_METADATA_LENGTH_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        COUNTERS_VALUES_LENGTH_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        ERROR_LOG_LENGTH_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        PORT_FAULTS_LENGTH_FIELD_OFFSET = offset;
        offset += Integer.BYTES;

        offset = LayoutUtil.align(offset, LayoutUtil.WRITER_GROUP_LENGTH);
        HEARTBEAT_FIELD_OFFSET = offset;
        offset += Long.BYTES;

        END_OF_METADATA_OFFSET = LayoutUtil.align(offset, LayoutUtil.WRITER_GROUP_LENGTH);
    }

    private CountersFileDescriptor()
    {
    }

    /**
     * Values section length for a number of counters.
     *
     * @param maxCounters number of counters the file must hold, at least 1.
     * @return {@code maxCounters * CountersReader.COUNTER_LENGTH}.
     */
    public static int countersValuesLength(final int maxCounters)
    {
        return maxCounters * CountersReader.COUNTER_LENGTH;
    }

    /**
     * Metadata section length matching a values section, as Agrona's {@code CountersManager} requires.
     *
     * @param countersValuesLength values section length.
     * @return {@code countersValuesLength * METADATA_TO_VALUES_RATIO}.
     */
    public static int countersMetaDataLength(final int countersValuesLength)
    {
        return countersValuesLength * METADATA_TO_VALUES_RATIO;
    }

    /**
     * Check section lengths before creating a file.
     *
     * @param countersMetaDataLength counters metadata section length.
     * @param countersValuesLength   counters values section length.
     * @param portFaultsLength       port fault section length.
     * @param errorLogLength         error log section length.
     * @throws IllegalArgumentException {@code "counters values length not a positive multiple of 128: length=<n>"},
     *                                  {@code "counters metadata length must be 4 x values length: metadata=<m>
     *                                  values=<v>"},
     *                                  {@code "port faults length not a multiple of 64: length=<n>"},
     *                                  {@code "error log length not a positive multiple of 8: length=<n>"} or
     *                                  {@code "counters file too large: length=<n> max=2147483647"}.
     */
    public static void checkSectionLengths(
        final int countersMetaDataLength,
        final int countersValuesLength,
        final int portFaultsLength,
        final int errorLogLength)
    {
        if (countersValuesLength <= 0 || 0 != countersValuesLength % CountersReader.COUNTER_LENGTH)
        {
            throw new IllegalArgumentException("counters values length not a positive multiple of " +
                CountersReader.COUNTER_LENGTH + ": length=" + countersValuesLength);
        }
        if ((long)countersMetaDataLength != (long)countersValuesLength * METADATA_TO_VALUES_RATIO)
        {
            throw new IllegalArgumentException("counters metadata length must be " + METADATA_TO_VALUES_RATIO +
                " x values length: metadata=" + countersMetaDataLength + " values=" + countersValuesLength);
        }
        if (portFaultsLength < 0 || 0 != portFaultsLength % PortFaultDescriptor.RECORD_LENGTH)
        {
            throw new IllegalArgumentException("port faults length not a multiple of " +
                PortFaultDescriptor.RECORD_LENGTH + ": length=" + portFaultsLength);
        }
        if (errorLogLength <= 0 || 0 != errorLogLength % DistinctErrorLog.RECORD_ALIGNMENT)
        {
            throw new IllegalArgumentException("error log length not a positive multiple of " +
                DistinctErrorLog.RECORD_ALIGNMENT + ": length=" + errorLogLength);
        }
        final long fileLength =
            computeFileLength(countersMetaDataLength, countersValuesLength, portFaultsLength, errorLogLength);
        if (fileLength > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("counters file too large: length=" + fileLength +
                " max=" + Integer.MAX_VALUE);
        }
    }

    /**
     * Total file length for the given sections.
     *
     * @param countersMetaDataLength counters metadata section length.
     * @param countersValuesLength   counters values section length.
     * @param portFaultsLength       port fault section length.
     * @param errorLogLength         error log section length.
     * @return bytes, computed in 64 bits so oversized inputs do not wrap.
     */
    public static long computeFileLength(
        final int countersMetaDataLength,
        final int countersValuesLength,
        final int portFaultsLength,
        final int errorLogLength)
    {
        return (long)END_OF_METADATA_OFFSET + countersMetaDataLength + countersValuesLength + portFaultsLength +
            errorLogLength;
    }

    /**
     * Port fault section length for a number of port slots.
     *
     * @param portSlots ports whose faults the file records, 0 or more.
     * @return {@code portSlots * PortFaultDescriptor.RECORD_LENGTH}.
     */
    public static int portFaultsLength(final int portSlots)
    {
        return portSlots * PortFaultDescriptor.RECORD_LENGTH;
    }

    /**
     * Write the metadata of a freshly mapped file. The version is set to 0 first so a reader of a reused file
     * does not trust it while it is being filled; {@link #signalReady} publishes it.
     *
     * @param buffer                 the whole file.
     * @param countersMetaDataLength counters metadata section length.
     * @param countersValuesLength   counters values section length.
     * @param portFaultsLength       port fault section length.
     * @param errorLogLength         error log section length.
     * @param pid                    daemon process id.
     * @param startTimestampMs       daemon start time, epoch ms; also the first heartbeat.
     * @throws IllegalArgumentException when the lengths fail {@link #checkSectionLengths} or
     *                                  {@code "counters file buffer too short: required=<n> capacity=<c>"}.
     */
    public static void fillMetaData(
        final AtomicBuffer buffer,
        final int countersMetaDataLength,
        final int countersValuesLength,
        final int portFaultsLength,
        final int errorLogLength,
        final long pid,
        final long startTimestampMs)
    {
        checkSectionLengths(countersMetaDataLength, countersValuesLength, portFaultsLength, errorLogLength);
        final long required =
            computeFileLength(countersMetaDataLength, countersValuesLength, portFaultsLength, errorLogLength);
        if (buffer.capacity() < required)
        {
            throw new IllegalArgumentException("counters file buffer too short: required=" + required +
                " capacity=" + buffer.capacity());
        }

        buffer.putIntVolatile(VERSION_FIELD_OFFSET, 0);
        buffer.putInt(MAGIC_FIELD_OFFSET, MAGIC);
        buffer.putLong(PID_FIELD_OFFSET, pid);
        buffer.putLong(START_TIMESTAMP_FIELD_OFFSET, startTimestampMs);
        buffer.putInt(COUNTERS_METADATA_LENGTH_FIELD_OFFSET, countersMetaDataLength);
        buffer.putInt(COUNTERS_VALUES_LENGTH_FIELD_OFFSET, countersValuesLength);
        buffer.putInt(ERROR_LOG_LENGTH_FIELD_OFFSET, errorLogLength);
        buffer.putInt(PORT_FAULTS_LENGTH_FIELD_OFFSET, portFaultsLength);
        buffer.setMemory(END_OF_METADATA_OFFSET + countersMetaDataLength + countersValuesLength, portFaultsLength,
            (byte)0);
        buffer.putLongRelease(HEARTBEAT_FIELD_OFFSET, startTimestampMs);
    }

    /**
     * Publish the file: write {@link #COUNTERS_FILE_VERSION} last, with a volatile store.
     *
     * @param buffer the whole file, after {@link #fillMetaData} and counter allocation.
     */
    public static void signalReady(final AtomicBuffer buffer)
    {
        buffer.putIntVolatile(VERSION_FIELD_OFFSET, COUNTERS_FILE_VERSION);
    }

    /**
     * Record that the daemon is alive.
     *
     * @param buffer the whole file.
     * @param nowMs  epoch ms.
     */
    public static void updateHeartbeat(final AtomicBuffer buffer, final long nowMs)
    {
        buffer.putLongRelease(HEARTBEAT_FIELD_OFFSET, nowMs);
    }

    /**
     * @param buffer the whole file.
     * @return the last heartbeat, epoch ms (acquire load).
     */
    public static long heartbeatMs(final AtomicBuffer buffer)
    {
        return buffer.getLongAcquire(HEARTBEAT_FIELD_OFFSET);
    }

    /**
     * @param buffer the whole file.
     * @return the version (volatile load); 0 while the daemon is still filling the file.
     */
    public static int version(final AtomicBuffer buffer)
    {
        return buffer.getIntVolatile(VERSION_FIELD_OFFSET);
    }

    /**
     * @param buffer the whole file.
     * @return the magic.
     */
    public static int magic(final DirectBuffer buffer)
    {
        return buffer.getInt(MAGIC_FIELD_OFFSET);
    }

    /**
     * @param buffer the whole file.
     * @return the daemon pid.
     */
    public static long pid(final DirectBuffer buffer)
    {
        return buffer.getLong(PID_FIELD_OFFSET);
    }

    /**
     * @param buffer the whole file.
     * @return the daemon start time, epoch ms.
     */
    public static long startTimestampMs(final DirectBuffer buffer)
    {
        return buffer.getLong(START_TIMESTAMP_FIELD_OFFSET);
    }

    /**
     * @param buffer the whole file.
     * @return the stored counters metadata section length.
     */
    public static int countersMetaDataLength(final DirectBuffer buffer)
    {
        return buffer.getInt(COUNTERS_METADATA_LENGTH_FIELD_OFFSET);
    }

    /**
     * @param buffer the whole file.
     * @return the stored counters values section length.
     */
    public static int countersValuesLength(final DirectBuffer buffer)
    {
        return buffer.getInt(COUNTERS_VALUES_LENGTH_FIELD_OFFSET);
    }

    /**
     * @param buffer the whole file.
     * @return the stored error log section length.
     */
    public static int errorLogLength(final DirectBuffer buffer)
    {
        return buffer.getInt(ERROR_LOG_LENGTH_FIELD_OFFSET);
    }

    /**
     * @param buffer the whole file.
     * @return the stored port fault section length.
     */
    public static int portFaultsLength(final DirectBuffer buffer)
    {
        return buffer.getInt(PORT_FAULTS_LENGTH_FIELD_OFFSET);
    }

    /**
     * @return offset of the counters metadata section (fixed).
     */
    public static int countersMetaDataOffset()
    {
        return END_OF_METADATA_OFFSET;
    }

    /**
     * @param buffer the whole file.
     * @return offset of the counters values section, from the stored lengths.
     */
    public static int countersValuesOffset(final DirectBuffer buffer)
    {
        return END_OF_METADATA_OFFSET + countersMetaDataLength(buffer);
    }

    /**
     * @param buffer the whole file.
     * @return offset of the port fault section, from the stored lengths.
     */
    public static int portFaultsOffset(final DirectBuffer buffer)
    {
        return countersValuesOffset(buffer) + countersValuesLength(buffer);
    }

    /**
     * @param buffer the whole file.
     * @return offset of the error log section, from the stored lengths.
     */
    public static int errorLogOffset(final DirectBuffer buffer)
    {
        return portFaultsOffset(buffer) + portFaultsLength(buffer);
    }

    /**
     * @param buffer the whole file.
     * @return file length implied by the stored section lengths.
     */
    public static long storedFileLength(final DirectBuffer buffer)
    {
        return computeFileLength(
            countersMetaDataLength(buffer), countersValuesLength(buffer), portFaultsLength(buffer),
            errorLogLength(buffer));
    }

    /**
     * Is the mapping long enough for the sections the metadata describes? Stored lengths are checked for sanity
     * first, so a corrupt file is reported as insufficient rather than sliced out of range.
     *
     * @param buffer       the whole file, mapped.
     * @param mappedLength bytes mapped.
     * @return true when every section lies inside the mapping.
     */
    public static boolean isLengthSufficient(final DirectBuffer buffer, final long mappedLength)
    {
        if (mappedLength < END_OF_METADATA_OFFSET)
        {
            return false;
        }
        final int metaDataLength = countersMetaDataLength(buffer);
        final int valuesLength = countersValuesLength(buffer);
        final int portFaultsLength = portFaultsLength(buffer);
        final int errorLogLength = errorLogLength(buffer);
        if (metaDataLength < 0 || valuesLength < 0 || portFaultsLength < 0 || errorLogLength < 0)
        {
            return false;
        }
        return computeFileLength(metaDataLength, valuesLength, portFaultsLength, errorLogLength) <= mappedLength;
    }

    /**
     * Check the version a reader found against the version this code was built for ({@link #COUNTERS_FILE_VERSION}).
     *
     * @param version value at {@link #VERSION_FIELD_OFFSET}, read with {@link #version}.
     * @throws IllegalStateException as {@link #checkVersion(int, int)}.
     */
    public static void checkVersion(final int version)
    {
        checkVersion(version, COUNTERS_FILE_VERSION);
    }

    /**
     * Check the version a reader found against the version the reader requires: same major, minor at least the
     * required one, patch ignored.
     *
     * @param version         value at {@link #VERSION_FIELD_OFFSET}, read with {@link #version}.
     * @param requiredVersion the {@link SemanticVersion} the reader was built for.
     * @throws IllegalStateException {@code "counters file not initialised: version=0"},
     *                               {@code "counters file major version mismatch: expected=<r> found=<v>"} or
     *                               {@code "counters file minor version too old: required=<r> found=<v>"}, versions
     *                               formatted as {@code major.minor.patch}.
     */
    public static void checkVersion(final int version, final int requiredVersion)
    {
        if (0 == version)
        {
            throw new IllegalStateException("counters file not initialised: version=0");
        }
        if (SemanticVersion.major(version) != SemanticVersion.major(requiredVersion))
        {
            throw new IllegalStateException("counters file major version mismatch: expected=" +
                SemanticVersion.toString(requiredVersion) + " found=" + SemanticVersion.toString(version));
        }
        if (SemanticVersion.minor(version) < SemanticVersion.minor(requiredVersion))
        {
            throw new IllegalStateException("counters file minor version too old: required=" +
                SemanticVersion.toString(requiredVersion) + " found=" + SemanticVersion.toString(version));
        }
    }

    /**
     * Check the magic a reader found.
     *
     * @param magic value at {@link #MAGIC_FIELD_OFFSET}.
     * @throws IllegalStateException {@code "counters file magic mismatch: expected=0x46434353 found=0x<hex>"}.
     */
    public static void checkMagic(final int magic)
    {
        if (MAGIC != magic)
        {
            throw new IllegalStateException("counters file magic mismatch: expected=0x" +
                Integer.toHexString(MAGIC) + " found=0x" + Integer.toHexString(magic));
        }
    }

    /**
     * Check that the mapping holds every section.
     *
     * @param buffer       the whole file, mapped.
     * @param mappedLength bytes mapped.
     * @throws IllegalStateException {@code "counters file too short: required=<n> mapped=<m>"}.
     */
    public static void checkLength(final DirectBuffer buffer, final long mappedLength)
    {
        if (!isLengthSufficient(buffer, mappedLength))
        {
            final long required = mappedLength < END_OF_METADATA_OFFSET ?
                END_OF_METADATA_OFFSET : storedFileLength(buffer);
            throw new IllegalStateException("counters file too short: required=" + required +
                " mapped=" + mappedLength);
        }
    }

    /**
     * The whole reader check, in protocol order: version (volatile load first), magic, length.
     *
     * @param buffer       the whole file, mapped.
     * @param mappedLength bytes mapped.
     * @throws IllegalStateException with the message of the first check that fails.
     */
    public static void checkReady(final AtomicBuffer buffer, final long mappedLength)
    {
        if (mappedLength < END_OF_METADATA_OFFSET)
        {
            throw new IllegalStateException("counters file too short: required=" + END_OF_METADATA_OFFSET +
                " mapped=" + mappedLength);
        }
        checkVersion(version(buffer));
        checkMagic(magic(buffer));
        checkLength(buffer, mappedLength);
    }

    /**
     * Slice the counters metadata section.
     *
     * @param buffer the whole file.
     * @return a view of the section.
     */
    public static UnsafeBuffer createCountersMetaDataBuffer(final UnsafeBuffer buffer)
    {
        return new UnsafeBuffer(buffer, countersMetaDataOffset(), countersMetaDataLength(buffer));
    }

    /**
     * Slice the counters values section.
     *
     * @param buffer the whole file.
     * @return a view of the section.
     */
    public static UnsafeBuffer createCountersValuesBuffer(final UnsafeBuffer buffer)
    {
        return new UnsafeBuffer(buffer, countersValuesOffset(buffer), countersValuesLength(buffer));
    }

    /**
     * Slice the port fault section (records laid out by {@link PortFaultDescriptor}).
     *
     * @param buffer the whole file.
     * @return a view of the section (capacity 0 when the file records no faults).
     */
    public static UnsafeBuffer createPortFaultsBuffer(final UnsafeBuffer buffer)
    {
        return new UnsafeBuffer(buffer, portFaultsOffset(buffer), portFaultsLength(buffer));
    }

    /**
     * Slice the error log section.
     *
     * @param buffer the whole file.
     * @return a view of the section.
     */
    public static UnsafeBuffer createErrorLogBuffer(final UnsafeBuffer buffer)
    {
        return new UnsafeBuffer(buffer, errorLogOffset(buffer), errorLogLength(buffer));
    }
}
