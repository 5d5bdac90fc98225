package io.sidecore.bench.system;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * How the benchmark starts the daemon and the guests: this JVM's java binary and class path (the benchmarks module
 * holds the launcher and the tools), the JVM flags the project needs on Java 25 (those this JVM was given), and
 * {@code taskset} to keep a process on the cores it may use.
 */
final class ChildJvm
{
    private ChildJvm()
    {
    }

    /**
     * @param cpus      cores the process may run on, as taskset takes them ({@code 0} or {@code 0,2-3}).
     * @param extraJvm  JVM options beyond the project's flags.
     * @param mainClass the class to run.
     * @param args      its arguments.
     * @return the command line.
     */
    static List<String> command(
        final String cpus, final List<String> extraJvm, final String mainClass, final List<String> args)
    {
        final List<String> command = new ArrayList<>(List.of("taskset", "-c", cpus, javaBinary()));
        command.addAll(projectJvmFlags());
        command.addAll(extraJvm);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * @return the flags of this JVM that the project declares for every JVM it starts ({@code sidecore.jvm.flags}:
     *     module opens and exports, native access).
     */
    static List<String> projectJvmFlags()
    {
        final List<String> flags = new ArrayList<>();
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-opens") || argument.startsWith("--add-exports") ||
                argument.startsWith("--enable-native-access"))
            {
                flags.add(argument);
            }
        }
        return flags;
    }

    /**
     * @return the java binary this JVM runs from.
     */
    static String javaBinary()
    {
        return ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
    }
}
