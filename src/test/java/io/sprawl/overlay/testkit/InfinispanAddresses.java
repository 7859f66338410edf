package io.sprawl.overlay.testkit;

import org.infinispan.remoting.transport.Address;
import org.jgroups.JChannel;

/**
 * Gives a bare test channel the address an Infinispan node has (an ExtendedUUID carrying Infinispan's version),
 * so the cluster's join check ({@code ProtocolAuth}) takes it for a node of some release, as it would be.
 */
public final class InfinispanAddresses {

    private InfinispanAddresses() {
    }

    public static JChannel addressedAsANode(JChannel channel, String name) {
        return channel.addAddressGenerator(() -> Address.randomUUID(name, null, null, null));
    }
}
