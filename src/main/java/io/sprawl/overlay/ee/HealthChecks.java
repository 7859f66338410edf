package io.sprawl.overlay.ee;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

/** The node's MicroProfile Health checks at the server's {@code /health/started}, {@code /ready}, {@code /live}. */
final class HealthChecks {

    private HealthChecks() {
    }

    static HealthCheckResponse response(String name, NodeHealth.Verdict v) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named(name).status(v.up());
        for (Map.Entry<String, Object> e : v.data().entrySet()) {
            Object value = e.getValue();
            if (value instanceof Long l) {
                b.withData(e.getKey(), l);
            } else if (value instanceof Integer i) {
                b.withData(e.getKey(), i.longValue());
            } else if (value instanceof Boolean bool) {
                b.withData(e.getKey(), bool);
            } else {
                b.withData(e.getKey(), String.valueOf(value));
            }
        }
        return b.build();
    }

    @Startup
    @ApplicationScoped
    public static class Started implements HealthCheck {
        @Inject
        NodeHealth health;

        @Override
        public HealthCheckResponse call() {
            return response("sprawl-overlay-started", health.started());
        }
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        @Inject
        NodeHealth health;

        @Override
        public HealthCheckResponse call() {
            return response("sprawl-overlay-ready", health.ready());
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        @Inject
        NodeHealth health;

        @Override
        public HealthCheckResponse call() {
            return response("sprawl-overlay-live", health.live());
        }
    }
}
