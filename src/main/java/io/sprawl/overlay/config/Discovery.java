package io.sprawl.overlay.config;

/** How a node finds the others: the JGroups discovery protocol it runs. */
public enum Discovery {
    /** TCPPING over {@code sprawl.seeds}: works everywhere, needs the list. */
    STATIC,
    /** DNS_PING over {@code sprawl.dns.query}: a Kubernetes headless service. */
    DNS,
    /** MPING over IP multicast: a LAN that carries multicast. */
    MULTICAST
}
