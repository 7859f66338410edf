package io.sprawl.overlay.membership;

import org.infinispan.protostream.annotations.Proto;
import org.infinispan.protostream.annotations.ProtoEnumValue;

/**
 * What a member record says of its member. The owner writes {@code ALIVE} and, saying goodbye,
 * {@code LEAVING}; the view coordinator marks a record whose member left the view {@code FAILED}
 * or {@code LEFT}, so that every node (and every later joiner) agrees on the departure and its time.
 */
@Proto
public enum RecordStatus {
    @ProtoEnumValue(0) ALIVE,
    @ProtoEnumValue(1) LEAVING,
    @ProtoEnumValue(2) FAILED,
    @ProtoEnumValue(3) LEFT;

    public boolean departed() {
        return this == FAILED || this == LEFT;
    }
}
