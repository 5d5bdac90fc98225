package io.sidecore.engine.proxy;

import java.nio.file.Path;

/**
 * What a port's capture recorded, as {@link EngineProxy#stopCapture} reports it.
 *
 * @param file           the capture file (with rotation, the newest; older ones are {@code file.1}, ...).
 * @param framesCaptured frames recorded, both directions.
 * @param filesRotated   rotations done.
 * @param failure        why recording stopped before it was asked to (the file could not be written), or null.
 */
public record CaptureSummary(Path file, long framesCaptured, long filesRotated, String failure)
{
}
