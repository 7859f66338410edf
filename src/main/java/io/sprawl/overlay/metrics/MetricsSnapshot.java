package io.sprawl.overlay.metrics;

import java.util.Map;
import org.infinispan.protostream.annotations.Proto;
import org.infinispan.protostream.annotations.ProtoField;

/**
 * A node's latest figures as it shares them with the cluster: the value of the replicated metrics
 * cache (key: the node id). Compact: ~25 numbers, about 1 KB. Immutable.
 *
 * @param time    when the node sampled them (its clock, epoch ms)
 * @param figures by {@link MetricNames}, custom metrics included
 */
@Proto
public record MetricsSnapshot(
        @ProtoField(number = 1) String node,
        @ProtoField(number = 2) long time,
        @ProtoField(number = 3) Map<String, Double> figures) {

    public MetricsSnapshot {
        figures = figures == null ? Map.of() : Map.copyOf(figures);
    }

    /** A figure, or {@code otherwise} when the snapshot has none of that name. */
    public double figure(String name, double otherwise) {
        Double v = figures.get(name);
        return v == null ? otherwise : v;
    }
}
