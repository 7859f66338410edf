package io.sprawl.overlay.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for tests, made by the project's own {@code server-config/cluster-pki.sh} (openssl): a CA
 * per folder, and node certificates signed by it in the layout {@code sprawl.tls.dir} reads.
 */
public final class TestPki {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    private final Path dir;

    /** A CA under {@code target/<folder>/ca}, made unless it is there. */
    public TestPki(String folder) {
        this.dir = ROOT.resolve("target").resolve(folder);
        run("ca", dir.resolve("ca").toString(), folder);
    }

    public Path caDir() {
        return dir.resolve("ca");
    }

    /** The tls directory of node {@code id} (made once): its certificate from this CA, valid 825 days. */
    public Path node(String id) {
        Path d = dir.resolve(id);
        if (!Files.exists(d.resolve("tls.crt"))) {
            run("node", caDir().toString(), d.toString(), id);
        }
        return d;
    }

    /** A certificate for {@code id} in {@code name} from this CA that was valid until yesterday (for 29 days). */
    public Path expired(String id, String name) {
        Path d = dir.resolve(name);
        run("node", caDir().toString(), d.toString(), id, "expired");
        return d;
    }

    private static void run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("server-config/cluster-pki.sh").toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(cmd + " failed: " + out);
            }
        } catch (IOException e) {
            throw new AssertionError(cmd + " could not run: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
