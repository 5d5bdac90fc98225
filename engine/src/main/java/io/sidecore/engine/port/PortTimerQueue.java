package io.sidecore.engine.port;

import io.sidecore.engine.e1000.DeadlineListener;
import io.sidecore.engine.e1000.InterruptController;

/**
 * The timer deadlines of one sidecore's ports, earliest first, so a pass visits a port's timers only when they are
 * due instead of comparing every port's deadline with the clock every pass (issue 11 §2: that scan was O(ports) per
 * pass). A binary min-heap over arrays preallocated for the sidecore's most ports: queuing, re-queuing and removing
 * a port allocate nothing and cost O(log ports); each port is in the queue at most once, and knows its place there.
 * <p>
 * A port's queued deadline is never later than its device's real next deadline: the device reports every timer it
 * arms ({@link DeadlineListener}), and a report only ever moves the queued deadline earlier. A deadline that moved
 * later or went away (a timer restarted, stopped, or its cause cleared) makes the sidecore visit the port once too
 * early; it then re-queues the port at its device's real deadline ({@link #requeue}). Deadlines are compared
 * wrap-safe ({@code a - b < 0}), so every queued deadline must lie within 2^63 ns of the others: they are all within
 * seconds of the agent's clock. Agent thread only.
 */
public final class PortTimerQueue
{
    private final Port[] ports;
    private final long[] deadlinesNs;
    private int size;

    /**
     * @param capacity the most ports the sidecore serves.
     */
    public PortTimerQueue(final int capacity)
    {
        ports = new Port[capacity];
        deadlinesNs = new long[capacity];
    }

    /**
     * @return ports queued.
     */
    public int size()
    {
        return size;
    }

    /**
     * @return the earliest queued deadline, or {@link InterruptController#NO_DEADLINE} when none is queued.
     */
    public long earliestDeadlineNs()
    {
        return 0 == size ? InterruptController.NO_DEADLINE : deadlinesNs[0];
    }

    /**
     * @param nowNs the agent's time.
     * @return the port whose queued deadline is earliest and has come, or null.
     */
    public Port duePort(final long nowNs)
    {
        return 0 != size && deadlinesNs[0] - nowNs <= 0 ? ports[0] : null;
    }

    /**
     * @param port a port.
     * @return its queued deadline, or {@link InterruptController#NO_DEADLINE} when it is not queued.
     */
    public long deadlineNs(final Port port)
    {
        final int index = port.timerQueueIndex;
        return index < 0 ? InterruptController.NO_DEADLINE : deadlinesNs[index];
    }

    /**
     * Queue the port at this deadline unless it is queued earlier already.
     *
     * @param port       a port of this sidecore.
     * @param deadlineNs when its timers may have work, or {@link InterruptController#NO_DEADLINE} (nothing done).
     */
    public void scheduleNoLaterThan(final Port port, final long deadlineNs)
    {
        if (InterruptController.NO_DEADLINE == deadlineNs)
        {
            return;
        }
        final int index = port.timerQueueIndex;
        if (index < 0)
        {
            final int last = size++;
            ports[last] = port;
            deadlinesNs[last] = deadlineNs;
            port.timerQueueIndex = last;
            siftUp(last);
        }
        else if (deadlineNs - deadlinesNs[index] < 0)
        {
            deadlinesNs[index] = deadlineNs;
            siftUp(index);
        }
    }

    /**
     * Queue the port at exactly this deadline (later or earlier than it was), or take it out of the queue.
     *
     * @param port       a port of this sidecore.
     * @param deadlineNs its device's real next deadline, or {@link InterruptController#NO_DEADLINE}.
     */
    public void requeue(final Port port, final long deadlineNs)
    {
        remove(port);
        scheduleNoLaterThan(port, deadlineNs);
    }

    /**
     * Take the port out of the queue; nothing when it is not queued.
     *
     * @param port a port.
     */
    public void remove(final Port port)
    {
        final int index = port.timerQueueIndex;
        if (index < 0)
        {
            return;
        }
        port.timerQueueIndex = -1;
        final int last = --size;
        final Port moved = ports[last];
        final long movedDeadlineNs = deadlinesNs[last];
        ports[last] = null;
        if (index == last)
        {
            return;
        }
        ports[index] = moved;
        deadlinesNs[index] = movedDeadlineNs;
        moved.timerQueueIndex = index;
        siftDown(index);
        siftUp(moved.timerQueueIndex);
    }

    private void siftUp(final int from)
    {
        final Port port = ports[from];
        final long deadlineNs = deadlinesNs[from];
        int index = from;
        while (index > 0)
        {
            final int parent = (index - 1) >>> 1;
            if (deadlineNs - deadlinesNs[parent] >= 0)
            {
                break;
            }
            place(index, ports[parent], deadlinesNs[parent]);
            index = parent;
        }
        place(index, port, deadlineNs);
    }

    private void siftDown(final int from)
    {
        final Port port = ports[from];
        final long deadlineNs = deadlinesNs[from];
        int index = from;
        while (true)
        {
            final int left = 2 * index + 1;
            if (left >= size)
            {
                break;
            }
            final int right = left + 1;
            final int child = right < size && deadlinesNs[right] - deadlinesNs[left] < 0 ? right : left;
            if (deadlinesNs[child] - deadlineNs >= 0)
            {
                break;
            }
            place(index, ports[child], deadlinesNs[child]);
            index = child;
        }
        place(index, port, deadlineNs);
    }

    private void place(final int index, final Port port, final long deadlineNs)
    {
        ports[index] = port;
        deadlinesNs[index] = deadlineNs;
        port.timerQueueIndex = index;
    }
}
