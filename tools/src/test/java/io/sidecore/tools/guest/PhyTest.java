package io.sidecore.tools.guest;

import io.sidecore.shm.E1000Registers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PhyTest
{
    /** A device whose MDIC answers what the test says. */
    private static final class ScriptedMdic implements DeviceAccess
    {
        int lastWrite;
        int answer;
        int reads;

        public int configRead(final int offset, final int sizeBytes)
        {
            return 0;
        }

        public void configWrite(final int offset, final int sizeBytes, final int value)
        {
        }

        public int bar0Read(final int offset)
        {
            reads++;
            return answer;
        }

        public void bar0Write(final int offset, final int value)
        {
            lastWrite = value;
        }

        public int ioRead(final int offset)
        {
            return 0;
        }

        public void ioWrite(final int offset, final int value)
        {
        }
    }

    private final ScriptedMdic device = new ScriptedMdic();
    private final Phy phy = new Phy(new DeviceRegisters(device));

    @Test
    void shouldComposeReadCommandForPhyAddressOneAndReturnData()
    {
        device.answer = E1000Registers.MDIC_READY | 0x0C20;

        assertEquals(0x0C20, phy.read(Phy.PHY_ID2));
        assertEquals(0x08230000, device.lastWrite);
        assertEquals(1, device.reads);
    }

    @Test
    void shouldComposeWriteCommandWithData()
    {
        device.answer = E1000Registers.MDIC_READY;

        phy.write(Phy.PHY_CTRL, 0x1340);

        assertEquals(0x04201340, device.lastWrite);
    }

    @Test
    void shouldFailReadWhenMdicReportsError()
    {
        device.answer = E1000Registers.MDIC_READY | E1000Registers.MDIC_ERROR;

        final GuestDriverException ex = assertThrows(GuestDriverException.class, () -> phy.read(0x1A));

        assertEquals("MDI error reading phy register=26 MDIC=0x50000000", ex.getMessage());
    }

    @Test
    void shouldGiveUpAfterLinuxPollCountWhenReadyNeverSet()
    {
        device.answer = 0;

        assertThrows(GuestDriverException.class, () -> phy.read(Phy.PHY_STATUS));
        assertEquals(Phy.READ_POLLS, device.reads);

        device.reads = 0;
        assertThrows(GuestDriverException.class, () -> phy.write(Phy.PHY_CTRL, 0));
        assertEquals(Phy.WRITE_POLLS, device.reads);
    }
}
