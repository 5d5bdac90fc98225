package io.sidecore.engine.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.StringEntry;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Interns, ahead of time and on the calling thread, the string constants of the classes a sidecore runs, so that
 * the optimising compiler's first look at one of their methods allocates nothing on the sidecore's thread.
 * <p>
 * Why: when a method becomes hot enough for C2, the thread that runs it requests the compilation, and HotSpot
 * resolves on that thread every string constant of the method's class ({@code CompileBroker::compile_method}:
 * {@code constants()->resolve_string_constants}), exception messages and concatenation recipes a steady-state path
 * never executes included. Each literal not yet in the JVM's string table becomes a new {@code String} and its
 * {@code byte[]}, allocated by the sidecore thread, seconds into traffic when a rarely taken path (a moderation
 * timer, a size bin) crosses its threshold: the system benchmark saw 88 to 888 bytes in its first measured interval
 * from exactly these literals (one {@code String} per literal of {@code InterruptController}, {@code MacTable},
 * {@code GuestMemory}, {@code Statistics}, {@code TxProcessor}, at the entry of the method being compiled). A
 * literal already interned is found in the table and nothing is allocated, so interning them here, once, moves
 * that allocation to the thread that builds the engine. The strings are held here for the JVM's life: the table
 * itself holds them only weakly until a constant pool does.
 * <p>
 * Covered: every class of the code sources (jar or directory) of the given anchor classes, and the JDK packages the
 * data path calls into. Each source is read once per JVM.
 */
public final class StringConstants
{
    /**
     * The java.base packages the data path runs (memory segments and the downcalls of the OS bindings), as paths in
     * the {@code jrt:} file system; their subpackages included.
     */
    static final List<String> JDK_PACKAGES = List.of(
        "/modules/java.base/java/lang/foreign",
        "/modules/java.base/jdk/internal/foreign");

    private static final Set<String> HELD = ConcurrentHashMap.newKeySet();
    private static final Set<String> SOURCES_READ = ConcurrentHashMap.newKeySet();

    private StringConstants()
    {
    }

    /**
     * Intern the string constants of every class in the code sources of {@code anchors} and in
     * {@link #JDK_PACKAGES}, unless already done for that source in this JVM.
     *
     * @param anchors one class of each code source (jar or class directory) to cover.
     * @return string constants interned by this call (0 when every source had been read before).
     * @throws UncheckedIOException when a source cannot be read.
     */
    public static synchronized int internFor(final Class<?>... anchors)
    {
        int interned = 0;
        for (final Class<?> anchor : anchors)
        {
            interned += internSource(anchor);
        }
        for (final String jdkPackage : JDK_PACKAGES)
        {
            if (SOURCES_READ.add("jrt:" + jdkPackage))
            {
                final FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
                interned += internDirectory(jrt.getPath(jdkPackage));
            }
        }
        return interned;
    }

    /**
     * @param anchor a class.
     * @return whether the string constants of its code source have been interned in this JVM.
     */
    static boolean isRead(final Class<?> anchor)
    {
        return SOURCES_READ.contains(location(anchor).toString());
    }

    private static int internSource(final Class<?> anchor)
    {
        final Path location = location(anchor);
        if (SOURCES_READ.contains(location.toString()))
        {
            return 0;
        }
        final int interned = Files.isDirectory(location) ? internDirectory(location) : internJar(location);
        SOURCES_READ.add(location.toString());
        return interned;
    }

    private static Path location(final Class<?> anchor)
    {
        final CodeSource codeSource = anchor.getProtectionDomain().getCodeSource();
        if (null == codeSource || null == codeSource.getLocation())
        {
            throw new IllegalArgumentException("no code source to read the string constants of: " + anchor);
        }
        try
        {
            return Path.of(codeSource.getLocation().toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalArgumentException("code source of " + anchor + " is not a file: " +
                codeSource.getLocation(), ex);
        }
    }

    private static int internDirectory(final Path directory)
    {
        final List<Path> classFiles = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(directory))
        {
            paths.filter(path -> path.toString().endsWith(".class")).forEach(classFiles::add);
            int interned = 0;
            for (int i = 0; i < classFiles.size(); i++)
            {
                interned += internClass(Files.readAllBytes(classFiles.get(i)));
            }
            return interned;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the classes under " + directory, ex);
        }
    }

    private static int internJar(final Path jar)
    {
        try (JarFile file = new JarFile(jar.toFile()))
        {
            int interned = 0;
            final Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements())
            {
                final JarEntry entry = entries.nextElement();
                if (entry.getName().endsWith(".class"))
                {
                    try (InputStream in = file.getInputStream(entry))
                    {
                        interned += internClass(in.readAllBytes());
                    }
                }
            }
            return interned;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the classes of " + jar, ex);
        }
    }

    private static int internClass(final byte[] classBytes)
    {
        int interned = 0;
        for (final PoolEntry entry : ClassFile.of().parse(classBytes).constantPool())
        {
            if (entry instanceof StringEntry string && HELD.add(string.stringValue().intern()))
            {
                interned++;
            }
        }
        return interned;
    }
}
