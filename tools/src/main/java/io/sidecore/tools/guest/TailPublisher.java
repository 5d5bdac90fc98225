package io.sidecore.tools.guest;

/**
 * How a ring hands a new tail to the device: a doorbell write (shared page or trapped) or, in CSB mode, the CSB
 * field plus a kick when the host asks for one.
 */
interface TailPublisher
{
    /**
     * @param tail new TDT.
     */
    void publishTxTail(int tail);

    /**
     * @param tail new RDT.
     */
    void publishRxTail(int tail);
}
