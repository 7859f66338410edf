package io.sprawl.overlay.metrics;

import java.util.Map;

/** Reads the machine and the JVM: one call per sampling step, figures keyed by {@link MetricNames}. */
public interface Sampler {

    /** The figures now; rates are over the time since the previous call (absent on the first). */
    Map<String, Double> sample(long now);
}
