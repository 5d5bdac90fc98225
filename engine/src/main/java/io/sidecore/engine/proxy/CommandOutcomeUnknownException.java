package io.sidecore.engine.proxy;

/**
 * A control call whose command the sidecore had started but not finished when the caller stopped waiting (the
 * command timeout, then the grace a running command gets): the sidecore is wedged inside the command or its thread
 * died there. The command may have done all, part or none of its work, and may still be running: whatever the
 * caller brought for it (a guest's pages, a mapped region, a backend) may be in use by the sidecore, so the caller
 * must not free it; it keeps it (a deliberate leak, logged once naming the port and the command) rather than risk a
 * sidecore touching memory that was unmapped.
 */
public final class CommandOutcomeUnknownException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    private final String commandName;

    /**
     * @param commandName the command's name, for the caller's log line.
     * @param message     what happened.
     */
    public CommandOutcomeUnknownException(final String commandName, final String message)
    {
        super(message);
        this.commandName = commandName;
    }

    /**
     * @param commandName the command's name, for the caller's log line.
     * @param message     what happened.
     * @param cause       the first failure of a change whose undo did not complete (kept: nothing is lost).
     */
    public CommandOutcomeUnknownException(final String commandName, final String message, final Throwable cause)
    {
        super(message, cause);
        this.commandName = commandName;
    }

    /**
     * @return the name of the command whose outcome is unknown.
     */
    public String commandName()
    {
        return commandName;
    }
}
