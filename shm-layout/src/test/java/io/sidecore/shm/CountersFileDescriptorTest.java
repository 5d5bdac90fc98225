package io.sidecore.shm;

import org.agrona.BufferUtil;
import org.agrona.SemanticVersion;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static io.sidecore.shm.CountersFileDescriptor.COUNTERS_FILE_VERSION;
import static io.sidecore.shm.CountersFileDescriptor.COUNTERS_METADATA_LENGTH_FIELD_OFFSET;
import static io.sidecore.shm.CountersFileDescriptor.COUNTERS_VALUES_LENGTH_FIELD_OFFSET;
import static io.sidecore.shm.CountersFileDescriptor.DEFAULT_DIRECTORY;
import static io.sidecore.shm.CountersFileDescriptor.DEFAULT_FILE;
import static io.sidecore.shm.CountersFileDescriptor.END_OF_METADATA_OFFSET;
import static io.sidecore.shm.CountersFileDescriptor.ERROR_LOG_LENGTH_FIELD_OFFSET;
import static io.sidecore.shm.CountersFileDescriptor.FILE_NAME;
import static io.sidecore.shm.CountersFileDescriptor.HEARTBEAT_FIELD_OFFSET;
import static io.sidecore.shm.CountersFileDescriptor.MAGIC;
import static io.sidecore.shm.CountersFileDescriptor.MAGIC_FIELD_OFFSET;
import static io.sidecore.shm.CountersFileDescriptor.MAJOR_VERSION;
import static io.sidecore.shm.CountersFileDescriptor.METADATA_TO_VALUES_RATIO;
import static io.sidecore.shm.CountersFileDescriptor.MINOR_VERSION;
import static io.sidecore.shm.CountersFileDescriptor.PID_FIELD_OFFSET;
import static io.sidecore.shm.CountersFileDescriptor.PORT_FAULTS_LENGTH_FIELD_OFFSET;
import static io.sidecore.shm.CountersFileDescriptor.START_TIMESTAMP_FIELD_OFFSET;
import static io.sidecore.shm.CountersFileDescriptor.VERSION_FIELD_OFFSET;
import static io.sidecore.shm.CountersFileDescriptor.checkLength;
import static io.sidecore.shm.CountersFileDescriptor.checkMagic;
import static io.sidecore.shm.CountersFileDescriptor.checkReady;
import static io.sidecore.shm.CountersFileDescriptor.checkSectionLengths;
import static io.sidecore.shm.CountersFileDescriptor.checkVersion;
import static io.sidecore.shm.CountersFileDescriptor.computeFileLength;
import static io.sidecore.shm.CountersFileDescriptor.countersMetaDataLength;
import static io.sidecore.shm.CountersFileDescriptor.countersMetaDataOffset;
import static io.sidecore.shm.CountersFileDescriptor.countersValuesLength;
import static io.sidecore.shm.CountersFileDescriptor.countersValuesOffset;
import static io.sidecore.shm.CountersFileDescriptor.createCountersMetaDataBuffer;
import static io.sidecore.shm.CountersFileDescriptor.createCountersValuesBuffer;
import static io.sidecore.shm.CountersFileDescriptor.createErrorLogBuffer;
import static io.sidecore.shm.CountersFileDescriptor.createPortFaultsBuffer;
import static io.sidecore.shm.CountersFileDescriptor.errorLogLength;
import static io.sidecore.shm.CountersFileDescriptor.errorLogOffset;
import static io.sidecore.shm.CountersFileDescriptor.fillMetaData;
import static io.sidecore.shm.CountersFileDescriptor.heartbeatMs;
import static io.sidecore.shm.CountersFileDescriptor.isLengthSufficient;
import static io.sidecore.shm.CountersFileDescriptor.magic;
import static io.sidecore.shm.CountersFileDescriptor.pid;
import static io.sidecore.shm.CountersFileDescriptor.portFaultsLength;
import static io.sidecore.shm.CountersFileDescriptor.portFaultsOffset;
import static io.sidecore.shm.CountersFileDescriptor.signalReady;
import static io.sidecore.shm.CountersFileDescriptor.startTimestampMs;
import static io.sidecore.shm.CountersFileDescriptor.storedFileLength;
import static io.sidecore.shm.CountersFileDescriptor.updateHeartbeat;
import static io.sidecore.shm.CountersFileDescriptor.version;
import static io.sidecore.shm.LayoutAssertions.LayoutField;
import static io.sidecore.shm.LayoutAssertions.assertLayout;
import static io.sidecore.shm.LayoutAssertions.assertWriterGroupsSeparate;
import static io.sidecore.shm.LayoutAssertions.field;
import static io.sidecore.shm.LayoutAssertions.intConstant;
import static io.sidecore.shm.LayoutAssertions.parseInt;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CountersFileDescriptorTest
{
    private static final int MAX_COUNTERS = 8;
    private static final int VALUES_LENGTH = countersValuesLength(MAX_COUNTERS);
    private static final int METADATA_LENGTH = countersMetaDataLength(VALUES_LENGTH);
    private static final int PORT_SLOTS = 3;
    private static final int PORT_FAULTS_LENGTH = portFaultsLength(PORT_SLOTS);
    private static final int ERROR_LOG_LENGTH = 4096;
    private static final int FILE_LENGTH =
        (int)computeFileLength(METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH);
    private static final long PID = 4242L;
    private static final long START_MS = 1_700_000_000_000L;

    private static final LayoutField[] ONCE_GROUP = {
        field("magic", MAGIC_FIELD_OFFSET, 4),
        field("version", VERSION_FIELD_OFFSET, 4),
        field("pid", PID_FIELD_OFFSET, 8),
        field("start timestamp", START_TIMESTAMP_FIELD_OFFSET, 8),
        field("counters metadata length", COUNTERS_METADATA_LENGTH_FIELD_OFFSET, 4),
        field("counters values length", COUNTERS_VALUES_LENGTH_FIELD_OFFSET, 4),
        field("error log length", ERROR_LOG_LENGTH_FIELD_OFFSET, 4),
        field("port faults length", PORT_FAULTS_LENGTH_FIELD_OFFSET, 4),
    };

    private static final LayoutField[] HEARTBEAT_GROUP = {
        field("heartbeat", HEARTBEAT_FIELD_OFFSET, 8),
    };

    private final UnsafeBuffer file = new UnsafeBuffer(BufferUtil.allocateDirectAligned(FILE_LENGTH, 64));

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "MAGIC, 0x46434353", "MAJOR_VERSION, 2", "MINOR_VERSION, 0", "PATCH_VERSION, 0",
        "COUNTERS_FILE_VERSION, 0x020000",
        "MAGIC_FIELD_OFFSET, 0", "VERSION_FIELD_OFFSET, 4", "PID_FIELD_OFFSET, 8", "START_TIMESTAMP_FIELD_OFFSET, 16",
        "COUNTERS_METADATA_LENGTH_FIELD_OFFSET, 24", "COUNTERS_VALUES_LENGTH_FIELD_OFFSET, 28",
        "ERROR_LOG_LENGTH_FIELD_OFFSET, 32", "PORT_FAULTS_LENGTH_FIELD_OFFSET, 36", "HEARTBEAT_FIELD_OFFSET, 128",
        "END_OF_METADATA_OFFSET, 256",
        "METADATA_TO_VALUES_RATIO, 4",
    })
    void shouldPinCountersFileConstant(final String name, final String value)
    {
        assertEquals(parseInt(value), intConstant(CountersFileDescriptor.class, name));
    }

    @Test
    void shouldPinEveryCountersFileConstant()
    {
        LayoutAssertions.assertEveryConstantPinned(
            CountersFileDescriptor.class, CountersFileDescriptorTest.class, "shouldPinCountersFileConstant");
        assertEquals("sidecore-counters.dat", FILE_NAME);
        assertEquals("/dev/shm/sidecore", DEFAULT_DIRECTORY);
        assertEquals("/dev/shm/sidecore/sidecore-counters.dat", DEFAULT_FILE);
        assertEquals(SemanticVersion.compose(2, 0, 0), COUNTERS_FILE_VERSION);
    }

    @Test
    void shouldLayOutMetadataWithoutOverlap()
    {
        final LayoutField[] all = { ONCE_GROUP[0], ONCE_GROUP[1], ONCE_GROUP[2], ONCE_GROUP[3], ONCE_GROUP[4],
            ONCE_GROUP[5], ONCE_GROUP[6], ONCE_GROUP[7], HEARTBEAT_GROUP[0] };
        assertLayout("counters file metadata", END_OF_METADATA_OFFSET, all);
    }

    @Test
    void shouldKeepHeartbeatInItsOwnWriterGroup()
    {
        assertWriterGroupsSeparate("counters file metadata", ONCE_GROUP, HEARTBEAT_GROUP);
        assertEquals(0, END_OF_METADATA_OFFSET % LayoutUtil.WRITER_GROUP_LENGTH);
    }

    @Test
    void shouldMatchAgronaCountersRecordLengths()
    {
        assertEquals(CountersReader.METADATA_LENGTH / CountersReader.COUNTER_LENGTH, METADATA_TO_VALUES_RATIO);
        assertEquals(MAX_COUNTERS * CountersReader.COUNTER_LENGTH, VALUES_LENGTH);
        assertEquals(MAX_COUNTERS * CountersReader.METADATA_LENGTH, METADATA_LENGTH);
    }

    @Test
    void shouldRoundTripMetadataWithVersionWrittenLast()
    {
        fillMetaData(file, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH, PID, START_MS);

        assertEquals(0, version(file), "not published before signalReady");
        final IllegalStateException beforeReady = assertThrows(
            IllegalStateException.class, () -> checkReady(file, FILE_LENGTH));
        assertEquals("counters file not initialised: version=0", beforeReady.getMessage());

        signalReady(file);

        assertDoesNotThrow(() -> checkReady(file, FILE_LENGTH));
        assertEquals(COUNTERS_FILE_VERSION, version(file));
        assertEquals(MAGIC, magic(file));
        assertEquals(PID, pid(file));
        assertEquals(START_MS, startTimestampMs(file));
        assertEquals(START_MS, heartbeatMs(file), "first heartbeat is the start time");
        assertEquals(METADATA_LENGTH, countersMetaDataLength(file));
        assertEquals(VALUES_LENGTH, countersValuesLength(file));
        assertEquals(ERROR_LOG_LENGTH, errorLogLength(file));
        assertEquals(PORT_FAULTS_LENGTH, portFaultsLength(file));
        assertEquals(FILE_LENGTH, storedFileLength(file));
        assertEquals("SCCF", file.getStringWithoutLengthAscii(MAGIC_FIELD_OFFSET, 4));
    }

    @Test
    void shouldUnpublishWhenMetadataIsRefilled()
    {
        fillMetaData(file, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH, PID, START_MS);
        signalReady(file);

        fillMetaData(file, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH, PID + 1, START_MS + 1);

        assertEquals(0, version(file));
        assertEquals(PID + 1, pid(file));
    }

    @Test
    void shouldUpdateHeartbeat()
    {
        fillMetaData(file, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH, PID, START_MS);
        updateHeartbeat(file, START_MS + 1000);
        assertEquals(START_MS + 1000, heartbeatMs(file));
        assertEquals(START_MS + 1000, file.getLong(HEARTBEAT_FIELD_OFFSET));
    }

    @Test
    void shouldComputeSectionOffsetsFromStoredLengths()
    {
        fillMetaData(file, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH, PID, START_MS);
        assertEquals(END_OF_METADATA_OFFSET, countersMetaDataOffset());
        assertEquals(END_OF_METADATA_OFFSET + METADATA_LENGTH, countersValuesOffset(file));
        assertEquals(END_OF_METADATA_OFFSET + METADATA_LENGTH + VALUES_LENGTH, portFaultsOffset(file));
        assertEquals(END_OF_METADATA_OFFSET + METADATA_LENGTH + VALUES_LENGTH + PORT_FAULTS_LENGTH,
            errorLogOffset(file));
        assertEquals(0, countersValuesOffset(file) % CountersReader.COUNTER_LENGTH, "values on their own lines");
        assertEquals(0, portFaultsOffset(file) % PortFaultDescriptor.RECORD_LENGTH, "fault records on cache lines");
        assertEquals(0, errorLogOffset(file) % DistinctErrorLog.RECORD_ALIGNMENT);
    }

    @Test
    void shouldSliceSectionsUsableByCountersManagerAndReaderInAnotherView()
    {
        fillMetaData(file, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH, PID, START_MS);
        final CountersManager manager = new CountersManager(
            createCountersMetaDataBuffer(file), createCountersValuesBuffer(file), StandardCharsets.US_ASCII);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[CounterTypes.SIDECORE_KEY_LENGTH]);
        CounterTypes.encodeSidecoreKey(key, 0, SidecoreCounter.DUTY_CYCLES.id());
        final AtomicCounter counter = manager.newCounter(
            CounterTypes.SIDECORE_COUNTER_TYPE_ID, key, 0, key.capacity(), new UnsafeBuffer(
            "sidecore=0 duty_cycles".getBytes(StandardCharsets.US_ASCII)), 0, 22);
        counter.setRelease(77);
        signalReady(file);

        final UnsafeBuffer readerView = new UnsafeBuffer(file.addressOffset(), FILE_LENGTH);
        checkReady(readerView, FILE_LENGTH);
        final CountersReader reader = new CountersReader(
            createCountersMetaDataBuffer(readerView), createCountersValuesBuffer(readerView),
            StandardCharsets.US_ASCII);

        assertEquals(MAX_COUNTERS - 1, reader.maxCounterId());
        assertEquals(77, reader.getCounterValue(counter.id()));
        assertEquals(CounterTypes.SIDECORE_COUNTER_TYPE_ID, reader.getCounterTypeId(counter.id()));
        assertEquals("sidecore=0 duty_cycles", reader.getCounterLabel(counter.id()));
    }

    @Test
    void shouldSliceErrorLogUsableByDistinctErrorLog()
    {
        fillMetaData(file, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH, PID, START_MS);
        final DistinctErrorLog log = new DistinctErrorLog(createErrorLogBuffer(file), () -> START_MS);

        final IllegalStateException error = new IllegalStateException("engine bug");
        error.setStackTrace(new StackTraceElement[0]);
        assertTrue(log.record(error));

        final int[] observations = new int[1];
        final int count = ErrorLogReader.read(createErrorLogBuffer(file),
            (observationCount, firstMs, lastMs, encodedException) ->
            {
                observations[0] = observationCount;
                assertTrue(encodedException.contains("engine bug"));
            });
        assertEquals(1, count);
        assertEquals(1, observations[0]);
        assertEquals(0, file.getLong(END_OF_METADATA_OFFSET + METADATA_LENGTH), "values untouched by the log");
    }

    @Test
    void shouldAcceptMatchingAndNewerMinorVersions()
    {
        assertDoesNotThrow(() -> checkVersion(COUNTERS_FILE_VERSION));
        assertDoesNotThrow(() -> checkVersion(SemanticVersion.compose(MAJOR_VERSION, MINOR_VERSION + 1, 3)));
    }

    @Test
    void shouldRejectVersionWhenNotInitialised()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> checkVersion(0));
        assertEquals("counters file not initialised: version=0", ex.getMessage());
    }

    @Test
    void shouldRejectVersionWhenMajorDiffers()
    {
        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> checkVersion(SemanticVersion.compose(1, 0, 0)));
        assertEquals("counters file major version mismatch: expected=2.0.0 found=1.0.0", ex.getMessage());
    }

    @Test
    void shouldRejectVersionWhenMinorIsOlderThanReader()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> checkVersion(SemanticVersion.compose(1, 1, 9), SemanticVersion.compose(1, 2, 0)));
        assertEquals("counters file minor version too old: required=1.2.0 found=1.1.9", ex.getMessage());
    }

    @Test
    void shouldIgnorePatchVersion()
    {
        assertDoesNotThrow(() -> checkVersion(SemanticVersion.compose(1, 2, 0), SemanticVersion.compose(1, 2, 5)));
    }

    @Test
    void shouldRejectMagicMismatch()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> checkMagic(0x52504353));
        assertEquals("counters file magic mismatch: expected=0x46434353 found=0x52504353", ex.getMessage());
        assertDoesNotThrow(() -> checkMagic(MAGIC));
    }

    @Test
    void shouldReportLengthSufficiencyFromStoredLengths()
    {
        fillMetaData(file, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH, PID, START_MS);
        assertTrue(isLengthSufficient(file, FILE_LENGTH));
        assertFalse(isLengthSufficient(file, FILE_LENGTH - 1));
        assertFalse(isLengthSufficient(file, END_OF_METADATA_OFFSET - 1));
    }

    @Test
    void shouldReportCorruptNegativeLengthAsInsufficient()
    {
        fillMetaData(file, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH, PID, START_MS);
        file.putInt(ERROR_LOG_LENGTH_FIELD_OFFSET, -ERROR_LOG_LENGTH);
        assertFalse(isLengthSufficient(file, FILE_LENGTH));
    }

    @Test
    void shouldRejectShortMappingWithExactMessage()
    {
        fillMetaData(file, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH, PID, START_MS);
        signalReady(file);
        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> checkLength(file, FILE_LENGTH - 8));
        assertEquals("counters file too short: required=" + FILE_LENGTH + " mapped=" + (FILE_LENGTH - 8),
            ex.getMessage());
        final IllegalStateException viaReady = assertThrows(
            IllegalStateException.class, () -> checkReady(file, FILE_LENGTH - 8));
        assertEquals(ex.getMessage(), viaReady.getMessage());
    }

    @Test
    void shouldRejectMappingShorterThanMetadata()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> checkReady(file, 100));
        assertEquals("counters file too short: required=256 mapped=100", ex.getMessage());
        final IllegalStateException viaLength = assertThrows(
            IllegalStateException.class, () -> checkLength(file, 100));
        assertEquals("counters file too short: required=256 mapped=100", viaLength.getMessage());
    }

    @Test
    void shouldCheckMagicAfterVersionInCheckReady()
    {
        fillMetaData(file, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH, PID, START_MS);
        signalReady(file);
        file.putInt(MAGIC_FIELD_OFFSET, 0);
        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> checkReady(file, FILE_LENGTH));
        assertEquals("counters file magic mismatch: expected=0x46434353 found=0x0", ex.getMessage());
    }

    @ParameterizedTest(name = "values={0}")
    @CsvSource({ "0", "-128", "100", "129" })
    void shouldRejectValuesLengthNotPositiveMultipleOf128(final int valuesLength)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> checkSectionLengths(valuesLength * 4, valuesLength, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH));
        assertEquals("counters values length not a positive multiple of 128: length=" + valuesLength,
            ex.getMessage());
    }

    @Test
    void shouldRejectMetadataLengthNotFourTimesValues()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> checkSectionLengths(METADATA_LENGTH - 512, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH));
        assertEquals("counters metadata length must be 4 x values length: metadata=3584 values=1024",
            ex.getMessage());
    }

    @ParameterizedTest(name = "errorLog={0}")
    @CsvSource({ "0", "-8", "12" })
    void shouldRejectErrorLogLengthNotPositiveMultipleOf8(final int errorLogLength)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> checkSectionLengths(METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, errorLogLength));
        assertEquals("error log length not a positive multiple of 8: length=" + errorLogLength, ex.getMessage());
    }

    @ParameterizedTest(name = "portFaults={0}")
    @CsvSource({ "-64", "32", "65" })
    void shouldRejectPortFaultsLengthNotMultipleOf64(final int portFaultsLength)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> checkSectionLengths(METADATA_LENGTH, VALUES_LENGTH, portFaultsLength, ERROR_LOG_LENGTH));
        assertEquals("port faults length not a multiple of 64: length=" + portFaultsLength, ex.getMessage());
    }

    @Test
    void shouldAcceptFileWithoutPortFaultRecords()
    {
        assertDoesNotThrow(() -> checkSectionLengths(METADATA_LENGTH, VALUES_LENGTH, 0, ERROR_LOG_LENGTH));
        assertEquals(0, portFaultsLength(0));
    }

    @Test
    void shouldZeroPortFaultSectionWhenFilledSoNoRecordLooksUsed()
    {
        file.setMemory(0, FILE_LENGTH, (byte)0x5A);
        fillMetaData(file, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH, PID, START_MS);
        final UnsafeBuffer faults = createPortFaultsBuffer(file);

        assertEquals(PORT_FAULTS_LENGTH, faults.capacity());
        for (int slot = 0; slot < PORT_SLOTS; slot++)
        {
            assertEquals(null, PortFaultDescriptor.read(faults, slot, 1), "slot " + slot);
        }
        assertEquals(0x5A5A5A5A, file.getInt(errorLogOffset(file)), "error log not touched by the fill");
    }

    @Test
    void shouldRejectFileLongerThanAnIntCanAddress()
    {
        final int values = 128 * 4_000_000;
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> checkSectionLengths(values * 4, values, 0, 8));
        assertEquals("counters file too large: length=" + (256L + values * 4L + values + 8) + " max=2147483647",
            ex.getMessage());
    }

    @Test
    void shouldRejectFillIntoTooSmallBuffer()
    {
        final UnsafeBuffer small = new UnsafeBuffer(BufferUtil.allocateDirectAligned(FILE_LENGTH - 64, 64));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> fillMetaData(
                small, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, ERROR_LOG_LENGTH, PID, START_MS));
        assertEquals("counters file buffer too short: required=" + FILE_LENGTH + " capacity=" + (FILE_LENGTH - 64),
            ex.getMessage());
        assertEquals(0, small.getInt(MAGIC_FIELD_OFFSET), "nothing written on rejection");
    }

    @Test
    void shouldRejectFillWithInvalidLengths()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> fillMetaData(file, METADATA_LENGTH, VALUES_LENGTH, PORT_FAULTS_LENGTH, 0, PID, START_MS));
        assertEquals("error log length not a positive multiple of 8: length=0", ex.getMessage());
    }
}
