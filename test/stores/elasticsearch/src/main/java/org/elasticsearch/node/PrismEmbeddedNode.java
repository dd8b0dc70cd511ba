/*
 * Prism integration-test helper (test-only code, not shipped).
 *
 * A real Elasticsearch Node whose plugins come from the classpath instead of the
 * modules/ and plugins/ directories of a distribution. It must live in package
 * org.elasticsearch.node because NodeConstruction, NodeServiceProvider and the
 * Node(NodeConstruction) constructor are package-private in Elasticsearch 8.15.x.
 */
package org.elasticsearch.node;

import org.elasticsearch.bootstrap.BootstrapCheck;
import org.elasticsearch.bootstrap.BootstrapContext;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.transport.BoundTransportAddress;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsService;
import org.elasticsearch.plugins.PrismClasspathPluginsService;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.util.List;

final class PrismEmbeddedNode extends Node {
    /** Plugins loaded from the classpath: Netty4 (HTTP + transport) and the GET/HEAD / endpoint. */
    static final List<Class<? extends Plugin>> CLASSPATH_PLUGINS = List.of(Netty4Plugin.class, PrismRootEndpointPlugin.class);

    PrismEmbeddedNode(Environment environment) {
        super(NodeConstruction.prepareConstruction(environment, new ClasspathPluginsProvider(), true));
    }

    /**
     * Bootstrap checks are only meant for production nodes; this node binds to loopback only
     * (where Elasticsearch itself would merely log them), so skip them entirely.
     */
    @Override
    protected void validateNodeBeforeAcceptingRequests(
        BootstrapContext context,
        BoundTransportAddress boundTransportAddress,
        List<BootstrapCheck> bootstrapChecks
    ) {}

    private static final class ClasspathPluginsProvider extends NodeServiceProvider {
        @Override
        PluginsService newPluginService(Environment environment, Settings settings) {
            return new PrismClasspathPluginsService(settings, CLASSPATH_PLUGINS);
        }
    }
}
