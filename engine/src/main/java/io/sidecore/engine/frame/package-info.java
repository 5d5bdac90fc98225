/**
 * The one way a frame travels through the engine: a {@link io.sidecore.engine.frame.FrameSink} takes the frame's
 * bytes with its {@link io.sidecore.engine.frame.FrameMetadata} and says whether it was delivered or under which
 * drop counter it was counted.
 */
package io.sidecore.engine.frame;
