package io.sprawl.overlay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.testkit.Command;
import io.sprawl.overlay.testkit.Command.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests as {@code kubectl apply -k docker/kubernetes} would send them: rendered offline by
 * {@code kubectl kustomize}, then checked by src/test/kubernetes/validate.mjs against the API schemas
 * (kubernetes-models, installed from npm into target/) and this overlay's own rules. A copy with the rules
 * broken must fail, so the checks are known to bite.
 */
class KubernetesManifestsIT {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path WORK = ROOT.resolve("target/kubernetes-checks");
    private static Path rendered;

    @BeforeAll
    static void renderAndInstall() throws Exception {
        Files.createDirectories(WORK);
        rendered = WORK.resolve("rendered.yaml");
        Result kustomize = run(List.of("kubectl", "kustomize", ROOT.resolve("docker/kubernetes").toString()), 120);
        assertEquals(0, kustomize.code(), "kubectl kustomize docker/kubernetes (kubectl 1.21+ is needed):\n" + kustomize.output());
        Files.writeString(rendered, kustomize.output());
        Files.copy(ROOT.resolve("src/test/kubernetes/package.json"), WORK.resolve("package.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(ROOT.resolve("src/test/kubernetes/validate.mjs"), WORK.resolve("validate.mjs"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        if (!Files.isDirectory(WORK.resolve("node_modules/kubernetes-models"))) {
            Result npm = run(List.of("npm", "install", "--no-audit", "--no-fund"), 600);
            assertEquals(0, npm.code(), "npm install kubernetes-models js-yaml:\n" + npm.output());
        }
    }

    @Test
    void theManifestsMatchTheSchemasAndTheOverlaysRules() throws Exception {
        Result r = run(List.of("node", "validate.mjs", rendered.toString()), 120);
        System.out.println(r.output().strip());
        assertEquals(0, r.code(), r.output());
    }

    @Test
    void brokenManifestsAreCaught() throws Exception {
        String broken = Files.readString(rendered)
                .replace("publishNotReadyAddresses: true", "publishNotReadyAddresses: false")
                .replace("podManagementPolicy: Parallel", "podManagementPolicy: OrderedReady")
                .replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false")
                .replace("replicas: 3", "replicas: three");
        Path bad = WORK.resolve("broken.yaml");
        Files.writeString(bad, broken);
        Result r = run(List.of("node", "validate.mjs", bad.toString()), 120);
        assertEquals(1, r.code(), r.output());
        for (String rule : List.of("replicas must be integer", "publishes not-ready pods", "podManagementPolicy Parallel",
                "read-only root filesystem")) {
            assertTrue(r.output().contains(rule), "not caught: " + rule + "\n" + r.output());
        }
    }

    private static Result run(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        return Command.run(cmd, WORK, Map.of(), timeoutSeconds);
    }
}
