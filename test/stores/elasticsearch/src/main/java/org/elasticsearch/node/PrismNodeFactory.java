/*
 * Prism integration-test helper (test-only code, not shipped).
 *
 * Builds the node settings and the node; kept apart from PrismTestNode so that no
 * Elasticsearch class is initialised before logging is configured.
 */
package org.elasticsearch.node;

import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.health.ClusterHealthResponse;
import org.elasticsearch.cluster.health.ClusterHealthStatus;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.env.Environment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

final class PrismNodeFactory {
    private PrismNodeFactory() {}

    static String version() {
        return Build.current().version();
    }

    static Settings settings(PrismTestNode.Options o) throws java.io.IOException {
        Path data = o.home.resolve("data");
        Path logs = o.home.resolve("logs");
        Path config = o.home.resolve("config");
        Files.createDirectories(data);
        Files.createDirectories(logs);
        Files.createDirectories(config);
        Settings.Builder b = Settings.builder()
            .put("path.home", o.home.toString())
            .put("path.data", data.toString())
            .put("path.logs", logs.toString())
            .put("cluster.name", "prism-test")
            .put("node.name", "prism-test-node")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", String.valueOf(o.httpPort))
            .put("transport.port", o.transportPort != null ? o.transportPort : "0")
            // test machine: never flip indices to read-only because the disk is getting full
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // allow DELETE /prism-test-* style cleanup between tests
            .put("action.destructive_requires_name", false);
        for (Map.Entry<String, String> e : o.extraSettings.entrySet()) {
            b.put(e.getKey(), e.getValue());
        }
        return b.build();
    }

    static Node create(PrismTestNode.Options o) throws java.io.IOException {
        Settings settings = settings(o);
        Environment environment = new Environment(settings, o.home.resolve("config"));
        return new PrismEmbeddedNode(environment);
    }

    static void awaitYellow(Node node, int timeoutSeconds) {
        ClusterHealthResponse health = node.client()
            .admin()
            .cluster()
            .prepareHealth()
            .setWaitForYellowStatus()
            .setTimeout(TimeValue.timeValueSeconds(timeoutSeconds))
            .get();
        if (health.isTimedOut() || health.getStatus() == ClusterHealthStatus.RED) {
            throw new IllegalStateException(
                "cluster health is " + health.getStatus() + " after " + timeoutSeconds + "s (timed out: " + health.isTimedOut() + ")"
            );
        }
    }
}
