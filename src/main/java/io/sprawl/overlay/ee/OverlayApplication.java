package io.sprawl.overlay.ee;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The REST API under the WAR's context root {@code /overlay}: {@code /overlay/api/*} and {@code /overlay/health/*}. */
@ApplicationPath("/")
public class OverlayApplication extends Application {
}
