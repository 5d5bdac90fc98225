package io.sidecore.engine.agent;

/**
 * A class whose hot method never executes its string constants, as an engine class's validation messages: the
 * optimising compiler's request for {@link #classify} resolves them all the same.
 */
final class ColdLiterals
{
    private ColdLiterals()
    {
    }

    /**
     * @param value any int.
     * @return its low byte, or a failure message's length for a negative value (never taken by the test).
     */
    static int classify(final int value)
    {
        if (value < 0)
        {
            return ("ColdLiterals: a value below zero was classified, which the test never does: " + value).length() +
                "ColdLiterals: second cold literal, also never executed".length();
        }
        return value & 0xFF;
    }
}
