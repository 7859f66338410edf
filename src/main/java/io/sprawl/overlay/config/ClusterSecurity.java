package io.sprawl.overlay.config;

/** How node-to-node traffic is protected ({@code sprawl.cluster.security}). */
public enum ClusterSecurity {
    /** Mutual TLS on every JGroups connection: a node shows a certificate of the cluster's CA or is refused. */
    TLS,
    /** No protection: anyone who reaches the cluster port joins and reads everything. Only on purpose. */
    PLAINTEXT
}
