package io.sprawl.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.sprawl.overlay.membership.MemberRecord;
import io.sprawl.overlay.membership.RecordStatus;
import org.infinispan.protostream.FileDescriptorSource;
import org.infinispan.protostream.ProtobufUtil;
import org.infinispan.protostream.SerializationContext;
import org.infinispan.protostream.descriptors.FileDescriptor;
import org.junit.jupiter.api.Test;

/**
 * The schema this build writes must be readable by the released one and the reverse (a rolling upgrade
 * puts both in one cluster): ProtoStream's own compatibility check of the released schema
 * (src/test/resources/schema, the schema as last released) against the one generated now. The rules are
 * the README's "Schema evolution": add optional fields with new numbers; never renumber, retype or
 * remove one without reserving its number and name. A release that adds fields copies the new schema over
 * the released one.
 */
class SchemaEvolutionTest {

    static final String RELEASED = "schema/sprawl-overlay.released.proto";

    @Test
    void theCurrentSchemaIsACompatibleEvolutionOfTheReleasedOne() throws IOException {
        FileDescriptor released = parse(released());
        FileDescriptor current = parse(new OverlaySchemaImpl().getProtoFile());
        List<String> errors = new ArrayList<>();
        released.checkCompatibility(current, true, errors);
        assertEquals(List.of(), errors);
        // checkCompatibility compares the types both have: a type dropped altogether is a break too
        released.getMessageTypes().forEach(m -> assertTrue(current.getMessageTypes().stream()
                .anyMatch(c -> c.getName().equals(m.getName())), "message " + m.getName() + " removed"));
        released.getEnumTypes().forEach(e -> assertTrue(current.getEnumTypes().stream()
                .anyMatch(c -> c.getName().equals(e.getName())), "enum " + e.getName() + " removed"));
    }

    @Test
    void aRecordSurvivesTheRoundTripAndOneWithoutARangeIsAFirstReleaseRecord() throws IOException {
        SerializationContext ctx = ProtobufUtil.newSerializationContext();
        new OverlaySchemaImpl().register(ctx);
        MemberRecord r = new MemberRecord("n1", "t1", "127.0.0.1", 7800, 9080, "v", 5, 3, "s", "r", Map.of("c", "1"),
                Map.of("m", "2"), 7, 8, RecordStatus.LEAVING, 0, 1, 2);
        assertEquals(r, ProtobufUtil.fromWrappedByteArray(ctx, ProtobufUtil.toWrappedByteArray(ctx, r)));
        MemberRecord first = new MemberRecord("n1", "t1", "127.0.0.1", 7800, 9080, "v", 5, 3, "s", "r", Map.of(),
                Map.of(), 7, 8, RecordStatus.ALIVE, 0);
        MemberRecord read = (MemberRecord) ProtobufUtil.fromWrappedByteArray(ctx, ProtobufUtil.toWrappedByteArray(ctx,
                first));
        assertEquals("1-1", read.protocol());
    }

    @Test
    void aRenumberedFieldIsCaught() throws IOException {
        String renumbered = released().replace("optional int64 incarnation = 8;", "optional int64 incarnation = 17;");
        assertThrows(RuntimeException.class, () -> parse(released()).checkCompatibility(parse(renumbered), true));
    }

    @Test
    void aRemovedFieldIsCaughtUnlessReserved() throws IOException {
        String removed = released().replace("optional int64 departedAt = 16;", "");
        assertThrows(RuntimeException.class, () -> parse(released()).checkCompatibility(parse(removed), true));
        String reserved = released().replace("optional int64 departedAt = 16;", "reserved 16; reserved \"departedAt\";");
        parse(released()).checkCompatibility(parse(reserved), true);
    }

    @Test
    void aRenumberedEnumValueIsCaught() throws IOException {
        String renumbered = released().replace("LEFT = 3;", "LEFT = 9;");
        assertThrows(RuntimeException.class, () -> parse(released()).checkCompatibility(parse(renumbered), true));
    }

    private static String released() throws IOException {
        try (InputStream in = SchemaEvolutionTest.class.getClassLoader().getResourceAsStream(RELEASED)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static FileDescriptor parse(String proto) {
        SerializationContext ctx = ProtobufUtil.newSerializationContext();
        ctx.registerProtoFiles(FileDescriptorSource.fromString("sprawl-overlay.proto", proto));
        return ctx.getFileDescriptors().get("sprawl-overlay.proto");
    }
}
