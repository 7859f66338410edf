package io.sprawl.overlay.metrics;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.regex.Pattern;

/**
 * Application metrics registered at run time, through the Java API or the REST API: counters (only
 * grow, until reset) and gauges (set to any value). Bounded in number, because each keeps a history.
 *
 * <p>Thread-safe: any thread may register, add, set or reset; values are atomic.
 */
public final class CustomMetrics {

    /** Lower case, digits, '_', '-' and '.', starting with a letter: safe in a URL, in JSON and as a Prometheus label. */
    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,62}");

    public enum Type { COUNTER, GAUGE }

    /** Why a request about a custom metric was refused, with a code for the API's error body. */
    public static final class Refused extends RuntimeException {
        private final String code;

        Refused(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /** One metric: its type and its value (a counter's total, a gauge's last value). */
    public record Value(String name, Type type, double value) {
    }

    private static final class Metric {
        final Type type;
        final DoubleAdder counter = new DoubleAdder();
        volatile double gauge;

        Metric(Type type) {
            this.type = type;
        }

        double value() {
            return type == Type.COUNTER ? counter.sum() : gauge;
        }
    }

    private final int max;
    private final Map<String, Metric> metrics = new ConcurrentHashMap<>();

    public CustomMetrics(int max) {
        this.max = max;
    }

    /** Adds {@code n} (not negative) to a counter, registering it on first use; returns the new total. */
    public double add(String name, double n) {
        if (!(n >= 0) || Double.isInfinite(n)) {
            throw new Refused("bad-value", "a counter only grows: add a finite number of at least 0, not " + n);
        }
        Metric m = metric(name, Type.COUNTER);
        m.counter.add(n);
        return m.value();
    }

    /** Sets a gauge, registering it on first use. */
    public double set(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new Refused("bad-value", "a gauge takes a finite number, not " + value);
        }
        Metric m = metric(name, Type.GAUGE);
        m.gauge = value;
        return value;
    }

    /** Sets the metric back to 0; returns whether it existed. */
    public boolean reset(String name) {
        Metric m = metrics.get(name);
        if (m == null) {
            return false;
        }
        m.counter.reset();
        m.gauge = 0;
        return true;
    }

    public Value get(String name) {
        Metric m = metrics.get(name);
        return m == null ? null : new Value(name, m.type, m.value());
    }

    /** Every custom metric, by name. */
    public Map<String, Value> all() {
        Map<String, Value> out = new TreeMap<>();
        metrics.forEach((name, m) -> out.put(name, new Value(name, m.type, m.value())));
        return Collections.unmodifiableMap(out);
    }

    private Metric metric(String name, Type type) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new Refused("bad-name", "a custom metric name is 1-63 characters of a-z, 0-9, '_', '-', '.',"
                    + " starting with a letter; got " + (name == null ? "none" : "'" + name + "'"));
        }
        Metric m = metrics.get(name);
        if (m == null) {
            synchronized (this) { // the bound is checked and the metric added as one step
                m = metrics.get(name);
                if (m == null) {
                    if (metrics.size() >= max) {
                        throw new Refused("too-many", "this node holds " + max + " custom metrics"
                                + " (sprawl.metrics.custom-max); '" + name + "' would be one more");
                    }
                    m = new Metric(type);
                    metrics.put(name, m);
                }
            }
        }
        if (m.type != type) {
            throw new Refused("wrong-type", "'" + name + "' is a " + m.type.name().toLowerCase(java.util.Locale.ROOT)
                    + ", not a " + type.name().toLowerCase(java.util.Locale.ROOT));
        }
        return m;
    }
}
