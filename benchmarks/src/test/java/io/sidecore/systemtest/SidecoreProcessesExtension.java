package io.sidecore.systemtest;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The fixture of the system tests: for each test a fresh directory and a {@link SidecoreProcesses} over it, put into
 * the test's {@code SidecoreProcesses} fields before it runs; after it, every process still running is destroyed and
 * the directory removed. When the test fails, the end of every log the processes wrote in the directory is attached
 * to its failure (as a suppressed error) and printed, so a failure on a build machine explains itself.
 * <p>
 * {@code @ExtendWith(SidecoreProcessesExtension.class)} gives a directory only the owner reaches (as {@code @TempDir});
 * {@code @RegisterExtension static final SidecoreProcessesExtension SIDECORE =}
 * {@link #traversableByOtherUsers()} one that other users may traverse (a test that runs a client as another uid).
 */
final class SidecoreProcessesExtension implements BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback
{
    private static final ExtensionContext.Namespace NAMESPACE =
        ExtensionContext.Namespace.create(SidecoreProcessesExtension.class);
    private static final int LOG_TAIL_LINES = 60;

    private final boolean traversableByOtherUsers;

    /**
     * The fixture with a directory only the owner reaches.
     */
    SidecoreProcessesExtension()
    {
        this(false);
    }

    private SidecoreProcessesExtension(final boolean traversableByOtherUsers)
    {
        this.traversableByOtherUsers = traversableByOtherUsers;
    }

    /**
     * @return the fixture with a directory other users may traverse ({@code rwxr-xr-x}, the daemon's own directories
     *         below it are still its own 0700/0750).
     */
    static SidecoreProcessesExtension traversableByOtherUsers()
    {
        return new SidecoreProcessesExtension(true);
    }

    @Override
    public void beforeEach(final ExtensionContext context) throws Exception
    {
        final Path root = Files.createTempDirectory("sidecore-system-test-");
        Path directory = root;
        if (traversableByOtherUsers)
        {
            directory = root.resolve("sc");
            Files.createDirectories(directory);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        final Fixture fixture = new Fixture(root, new SidecoreProcesses(directory));
        context.getStore(NAMESPACE).put(context.getUniqueId(), fixture);
        final Object test = context.getRequiredTestInstance();
        for (Class<?> type = test.getClass(); Object.class != type; type = type.getSuperclass())
        {
            for (final Field field : type.getDeclaredFields())
            {
                if (SidecoreProcesses.class == field.getType() && !Modifier.isStatic(field.getModifiers()))
                {
                    field.setAccessible(true);
                    field.set(test, fixture.processes());
                }
            }
        }
    }

    @Override
    public void afterTestExecution(final ExtensionContext context) throws IOException
    {
        final Fixture fixture = context.getStore(NAMESPACE).get(context.getUniqueId(), Fixture.class);
        if (null == fixture || context.getExecutionException().isEmpty())
        {
            return;
        }
        final String logs = logTails(fixture.processes().directory());
        if (!logs.isEmpty())
        {
            context.getExecutionException().get().addSuppressed(new AssertionError(logs));
            System.err.println(context.getDisplayName() + " failed; " + logs);
        }
    }

    @Override
    public void afterEach(final ExtensionContext context) throws IOException
    {
        final Fixture fixture = context.getStore(NAMESPACE).remove(context.getUniqueId(), Fixture.class);
        if (null == fixture)
        {
            return;
        }
        fixture.processes().close();
        try (Stream<Path> paths = Files.walk(fixture.root()))
        {
            final List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
            for (final Path path : deepestFirst)
            {
                Files.deleteIfExists(path);
            }
        }
    }

    private static String logTails(final Path directory) throws IOException
    {
        final List<Path> logs = new ArrayList<>();
        try (Stream<Path> paths = Files.list(directory))
        {
            paths.filter(path -> path.getFileName().toString().endsWith(".log")).sorted().forEach(logs::add);
        }
        final StringBuilder text = new StringBuilder();
        for (final Path log : logs)
        {
            final String[] lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\n", -1);
            text.append("last ").append(Math.min(LOG_TAIL_LINES, lines.length)).append(" of ").append(lines.length)
                .append(" lines of ").append(log.getFileName()).append(":\n");
            for (int i = Math.max(0, lines.length - LOG_TAIL_LINES); i < lines.length; i++)
            {
                text.append("  ").append(lines[i]).append('\n');
            }
        }
        return text.isEmpty() ? "" : "logs of the test's processes:\n" + text;
    }

    private record Fixture(Path root, SidecoreProcesses processes)
    {
    }
}
