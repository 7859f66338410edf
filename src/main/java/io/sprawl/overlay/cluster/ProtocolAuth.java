package io.sprawl.overlay.cluster;

import io.sprawl.overlay.membership.MemberRecord;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;
import org.jgroups.auth.FixedMembershipToken;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.AuthHeader;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.util.Bits;
import org.jgroups.util.ByteArrayDataInputStream;
import org.jgroups.util.ByteArrayDataOutputStream;
import org.jgroups.util.ExtendedUUID;
import org.jgroups.util.MessageBatch;

/**
 * Refuses, at the JGroups join or merge, a node whose protocol range does not meet this node's (memberlist's
 * protocol version check). Each node says the range it speaks ("sprawl-protocol 1-2") in a token of JGroups'
 * own, {@link FixedMembershipToken}, used only to carry that text: a node of the first release, which has no
 * AUTH in its stack, reads the header with JGroups' classes alone (a token class of ours would fail to load
 * there, and the join request with it would be lost) and ignores it; its own join or merge request, which
 * carries no header, is taken as speaking 1-1. Two ranges meet when they share a version; the refused node's connect fails with this node's
 * one-line reason (JGroups hands a join refusal's text to the joiner), and both sides log it.
 *
 * <p>A joiner must also be an Infinispan node (its address an {@link ExtendedUUID} carrying Infinispan's
 * version, as Infinispan's transport makes them): Infinispan's view handler reads that from every member's
 * address, so admitting a plain JGroups channel fails the coordinator's view installation (an exception on
 * GMS's thread) and leaves its caches on the old view while JGroups moved on; the joiner's requests time out.
 * A merge is checked by the address of the other side's merge leader only: a cluster of plain channels could
 * only come from a stranger with a certificate of this cluster's CA (or anyone, where the cluster runs plaintext).
 *
 * <p>JGroups' threads call {@link #up}: the check is a comparison, nothing blocks.
 */
final class ProtocolAuth extends AUTH {

    private static final Logger LOG = Logger.getLogger(ProtocolAuth.class.getName());
    static final String PREFIX = "sprawl-protocol ";

    private final String nodeId;
    private volatile int min;
    private volatile int max;
    private final AtomicLong refused = new AtomicLong();
    private volatile String lastRefusal = "";

    ProtocolAuth(String nodeId, int min, int max) {
        this.nodeId = nodeId;
        // AUTH's own protocol id, so its header is AUTH's on the wire (a subclass has none registered).
        setId(ClassConfigurator.getProtocolId(AUTH.class));
        speaks(min, max);
        setAuthCoord(false); // a coordinator of the first release sends no header with its answer
    }

    /** The range this node speaks (a test makes a node of a later release with it). */
    void speaks(int newMin, int newMax) {
        min = newMin;
        max = newMax;
        setAuthToken(new FixedMembershipToken(PREFIX + newMin + "-" + newMax));
    }

    String range() {
        return min + "-" + max;
    }

    long refused() {
        return refused.get();
    }

    String lastRefusal() {
        return lastRefusal;
    }

    @Override
    public Object up(Message msg) {
        withFirstReleaseHeader(msg);
        return super.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
        for (Message msg : batch) {
            withFirstReleaseHeader(msg);
        }
        super.up(batch);
    }

    /** A join or merge request without our header comes from a node of the first release. */
    private void withFirstReleaseHeader(Message msg) {
        GMS.GmsHeader gms = getGMSHeader(msg);
        if (gms != null && needsAuthentication(msg, gms) && msg.getHeader(id) == null) {
            msg.putHeader(id, new AuthHeader(new FixedMembershipToken(PREFIX + MemberRecord.FIRST_RELEASE_PROTOCOL + "-"
                    + MemberRecord.FIRST_RELEASE_PROTOCOL)));
        }
    }

    @Override
    protected boolean handleAuthHeader(GMS.GmsHeader gms, AuthHeader header, Message msg) {
        if (!needsAuthentication(msg, gms)) {
            return true;
        }
        // A join names the member it asks to admit; a merge request comes from the other side's merge leader.
        Address joiner = gms.getMember() != null ? gms.getMember() : msg.getSrc();
        String who = String.valueOf(joiner);
        String refusal = notInfinispan(joiner);
        refusal = refusal != null ? who + ": " + refusal : refusal(header.getToken(), who);
        if (refusal == null) {
            return true;
        }
        refused.incrementAndGet();
        lastRefusal = refusal;
        LOG.warning(nodeId + " refused " + refusal);
        sendRejectionMessage(gms.getType(), msg.getSrc(), nodeId + " refused " + refusal);
        return false;
    }

    /** Why Infinispan could not take this address into its view, or null when it can. */
    static String notInfinispan(Address address) {
        if (!(address instanceof ExtendedUUID uuid)) {
            return "it is not an Infinispan node (a plain JGroups address); the cluster's caches cannot take it";
        }
        try {
            org.infinispan.remoting.transport.Address.fromExtendedUUID(uuid);
            return null;
        } catch (RuntimeException e) {
            return "it is not an Infinispan node (its address carries no Infinispan version); the cluster's caches"
                    + " cannot take it";
        }
    }

    /** Why a node with this token may not join, or null when its range meets this node's. */
    String refusal(AuthToken token, String who) {
        int[] theirs = token instanceof FixedMembershipToken t ? parse(carried(t)) : null;
        if (theirs == null) {
            return who + ": it names no sprawl-overlay protocol range (" + token + "); this node speaks " + range();
        }
        if (Math.max(theirs[0], min) > Math.min(theirs[1], max)) {
            return who + ": it speaks protocol " + theirs[0] + "-" + theirs[1] + ", this cluster " + range()
                    + "; no version in common (upgrade through a release that speaks both)";
        }
        return null;
    }

    /** The text a token carries: what it writes on the wire (the token class has no getter for it). */
    static String carried(AuthToken token) {
        try {
            ByteArrayDataOutputStream out = new ByteArrayDataOutputStream(64);
            token.writeTo(out);
            return Bits.readString(new ByteArrayDataInputStream(out.buffer(), 0, out.position()));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** "sprawl-protocol 1-2" as {1, 2}; null when it is not that. */
    static int[] parse(String value) {
        if (value == null || !value.startsWith(PREFIX)) {
            return null;
        }
        String[] p = value.substring(PREFIX.length()).split("-", 2);
        try {
            int a = Integer.parseInt(p[0]);
            int b = Integer.parseInt(p[1]);
            return a >= 1 && a <= b ? new int[] {a, b} : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
