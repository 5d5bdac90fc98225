package io.sidecore.engine.backend;

import io.sidecore.engine.e1000.DeviceHarness;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.tools.guest.Descriptors;

/**
 * Test support: drives the device model's TX path as a Linux e1000 guest does for one IPv4 TSO packet (a context
 * descriptor, then one data descriptor with TSE, TXSM and IXSM; SDM 3.3.5-3.3.7), so backend tests see exactly what
 * the device hands an offload-capable sink.
 */
final class GuestTso
{
    private GuestTso()
    {
    }

    /**
     * A device whose sink is {@code sink}, link up, TX ring of 8.
     */
    static DeviceHarness device(final FrameSink sink)
    {
        final DeviceHarness h = new DeviceHarness(false, sink);
        h.registers.set(E1000Registers.STATUS, h.registers.get(E1000Registers.STATUS) | E1000Registers.STATUS_LU);
        h.setUpTxRing(8);
        return h;
    }

    /**
     * Transmit {@code packet} (an untagged IPv4/TCP frame with a 20-byte IP and TCP header, prepared as the guest
     * prepares TSO packets) with the given MSS.
     */
    static void transmitTcpv4(final DeviceHarness h, final byte[] packet, final int mss)
    {
        final int ipStart = 14;
        final int l4Start = 34;
        final int headerLength = 54;
        final int tucmd = E1000TxDescriptor.TUCMD_IP | E1000TxDescriptor.TUCMD_TCP | E1000TxDescriptor.TUCMD_TSE;
        h.putRawTx(0, Descriptors.contextTxLow(ipStart, ipStart + 10, l4Start - 1, l4Start, l4Start + 16, 0),
            Descriptors.contextTxHigh(packet.length - headerLength, tucmd, headerLength, mss));
        final long bufferGpa = DeviceHarness.BUFFERS_GPA;
        h.putBytes(bufferGpa, packet);
        final int dcmd = E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS | E1000TxDescriptor.CMD_TSE;
        h.putRawTx(1, bufferGpa, Descriptors.dataTxHigh(packet.length, dcmd,
            E1000TxDescriptor.POPTS_TXSM | E1000TxDescriptor.POPTS_IXSM, 0));
        h.writeShared(E1000Registers.TDT, 2);
        h.pollTx();
    }
}
