package io.sprawl.overlay.ee;

import java.util.Map;

/** JMX {@code io.sprawl.overlay:type=Metrics}: this node's current figures, rates, load and custom metrics. */
public interface MetricsMXBean {

    /** Every figure of the last sample, by name ({@code cpu.percent}, {@code memory.used.bytes}, ...). */
    Map<String, Double> getCurrent();

    /** Epoch ms of the last sample, 0 before the first. */
    long getSampledAt();

    /** This node's load, 0-1 (NaN before the first sample). */
    double getLoad();

    double getLoadForecast();

    double getLoadForecastError();

    double getMessagesPerSecond();

    double getMessageRate1m();

    double getMessageRate5m();

    double getMessageRate15m();

    /** Custom metrics and their values. */
    Map<String, Double> getCustomMetrics();

    /** The forecast load of every live member, as election and routing use it. */
    Map<String, Double> getClusterLoads();

    /** Sets a custom metric back to 0 and drops its history; returns whether it existed. */
    boolean resetCustomMetric(String name);
}
