package io.sprawl.overlay.metrics;

import io.sprawl.overlay.config.MetricsConfig;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The original system's MetricsManager: samples the machine, counts messages, holds the custom
 * metrics, keeps each figure's history, and forecasts the node's load. The node's sampling timer
 * calls {@link #sample} every {@code sprawl.metrics.sample-interval-ms}.
 *
 * <p>Threads: {@link #sample} runs on the one sampling thread, which owns the sampler, the rates'
 * averages and the forecast; it publishes each step's figures as one immutable map in a volatile.
 * Message marks and custom metrics come from any thread (atomics); histories guard themselves.
 */
public final class MetricsManager {

    private static final Logger LOG = Logger.getLogger(MetricsManager.class.getName());

    /** The figures of one sampling step. */
    public record Current(long time, Map<String, Double> figures) {
    }

    private final String nodeId;
    private final Clock clock;
    private final Supplier<Sampler> samplerFactory;
    private final MovingAverages messages = new MovingAverages();
    private final CustomMetrics custom;
    private final LoadForecast forecast;
    private final Map<String, History> histories = new ConcurrentHashMap<>();
    private Sampler sampler;
    private volatile Current current;
    private volatile LongConsumer messageListener = n -> { };

    /**
     * @param samplerFactory makes the sampler at the first step (OSHI's first read is slow, and a node
     *                       whose sampling is off never pays it)
     */
    public MetricsManager(String nodeId, MetricsConfig config, Clock clock, Supplier<Sampler> samplerFactory) {
        this.nodeId = nodeId;
        this.clock = clock;
        this.samplerFactory = samplerFactory;
        this.custom = new CustomMetrics(config.customMax());
        this.forecast = new LoadForecast(config.forecastSteps());
        this.current = new Current(0, Map.of());
    }

    /** One sampling step: read the machine, bring rates up to now, forecast, and record every figure. */
    public void sample() {
        long now = clock.millis();
        Map<String, Double> figures = new HashMap<>();
        try {
            if (sampler == null) {
                sampler = samplerFactory.get();
            }
            figures.putAll(sampler.sample(now));
        } catch (RuntimeException | LinkageError e) {
            // A machine that cannot be read must not stop the counts and custom metrics.
            LOG.log(Level.WARNING, "sampling the machine failed; message and custom metrics go on", e);
        }
        messages.tick(now);
        figures.put(MetricNames.MESSAGES, (double) messages.count());
        figures.put(MetricNames.MESSAGES_RATE, messages.perSecond());
        figures.put(MetricNames.MESSAGES_1M, messages.oneMinuteRate());
        figures.put(MetricNames.MESSAGES_5M, messages.fiveMinuteRate());
        figures.put(MetricNames.MESSAGES_15M, messages.fifteenMinuteRate());
        custom.all().forEach((name, v) -> figures.put(MetricNames.CUSTOM_PREFIX + name, v.value()));

        Double cpu = figures.get(MetricNames.CPU);
        if (cpu != null && Double.isFinite(cpu)) {
            double load = Math.max(0, Math.min(1, cpu / 100));
            forecast.add(load);
            figures.put(MetricNames.LOAD, load);
            figures.put(MetricNames.LOAD_FORECAST, forecast.forecast());
            if (!Double.isNaN(forecast.error())) {
                figures.put(MetricNames.LOAD_FORECAST_ERROR, forecast.error());
            }
        }
        figures.values().removeIf(v -> !Double.isFinite(v));
        for (Map.Entry<String, Double> e : figures.entrySet()) {
            histories.computeIfAbsent(e.getKey(), k -> new History()).add(now, e.getValue());
        }
        current = new Current(now, Map.copyOf(figures));
    }

    /** Adds {@code n} messages to this node's rates. */
    public void markMessages(long n) {
        messages.mark(n);
        messageListener.accept(n);
    }

    /** Who is told of each message count added (the Prometheus counter); replaces the previous listener. */
    public void onMessages(LongConsumer listener) {
        messageListener = listener;
    }

    /** The last step's figures (empty before the first). */
    public Current current() {
        return current;
    }

    /** What this node shares with the cluster: the last step's figures. */
    public MetricsSnapshot snapshot() {
        Current c = current;
        return new MetricsSnapshot(nodeId, c.time(), c.figures());
    }

    /** One figure of the last step, NaN when it has none (not sampled yet, or not on this machine). */
    public double figure(String name) {
        Double v = current.figures().get(name);
        return v == null ? Double.NaN : v;
    }

    public CustomMetrics custom() {
        return custom;
    }

    /** Sets a custom metric back to 0 and forgets its history; returns whether it existed. */
    public boolean resetCustom(String name) {
        boolean existed = custom.reset(name);
        if (existed) {
            histories.remove(MetricNames.CUSTOM_PREFIX + name);
        }
        return existed;
    }

    /** The names that have a history. */
    public Set<String> names() {
        return new TreeSet<>(histories.keySet());
    }

    /** A figure's history, or null for a name with none. */
    public History history(String name) {
        return histories.get(name);
    }

    /** The latest point of every figure: for the MXBean and the health endpoint. */
    public Map<String, Double> latest() {
        return new TreeMap<>(current.figures());
    }
}
