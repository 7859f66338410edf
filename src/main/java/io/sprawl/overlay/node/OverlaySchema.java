package io.sprawl.overlay.node;

import io.sprawl.overlay.election.LeaderRecord;
import io.sprawl.overlay.membership.MemberRecord;
import io.sprawl.overlay.membership.RecordStatus;
import io.sprawl.overlay.metrics.MetricsSnapshot;
import org.infinispan.protostream.GeneratedSchema;
import org.infinispan.protostream.annotations.ProtoSchema;

/**
 * The ProtoStream schema of what the overlay keeps in Infinispan; the processor generates {@code OverlaySchemaImpl}.
 * Nodes of two versions share it during a rolling upgrade: fields are only added, with new numbers, never
 * renumbered (README "Schema evolution"; SchemaEvolutionTest compares it with the released schema).
 */
@ProtoSchema(
        includeClasses = {MemberRecord.class, RecordStatus.class, LeaderRecord.class, MetricsSnapshot.class},
        schemaPackageName = "sprawl.overlay",
        schemaFileName = "sprawl-overlay.proto",
        schemaFilePath = "proto")
public interface OverlaySchema extends GeneratedSchema {
}
