/*
 * Prism integration-test helper (test-only code, not shipped).
 *
 * A PluginsService that does not scan any modules/ or plugins/ directory; instead it
 * instantiates a fixed list of plugin classes that are already on the JVM classpath
 * (for Prism: only the Netty4 HTTP/transport plugin).
 *
 * It has to live in package org.elasticsearch.plugins because LoadedPlugin and
 * PluginsService.loadPlugin(...) are package-private in Elasticsearch 8.15.x.
 */
package org.elasticsearch.plugins;

import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.node.info.PluginsAndModules;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.jdk.ModuleQualifiedExportsService;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class PrismClasspathPluginsService extends PluginsService {
    private final List<LoadedPlugin> classpathPlugins;

    public PrismClasspathPluginsService(Settings settings, Collection<Class<? extends Plugin>> pluginClasses) {
        // null config/modules/plugins paths: the base class then loads nothing from disk.
        super(settings, null, null, null);
        List<LoadedPlugin> loaded = new ArrayList<>();
        for (Class<? extends Plugin> type : pluginClasses) {
            Plugin instance = PluginsService.loadPlugin(type, settings, null);
            PluginDescriptor descriptor = new PluginDescriptor(
                type.getSimpleName(),               // name
                "classpath plugin (Prism test node)", // description
                Build.current().version(),          // plugin version
                Build.current().version(),          // elasticsearch version
                "17",                               // java version
                type.getName(),                     // class name
                null,                               // module name (not modular)
                List.of(),                          // extended plugins
                false,                              // native controller
                false,                              // licensed
                false,                              // modular
                false                               // stable
            );
            loaded.add(new LoadedPlugin(descriptor, instance, type.getClassLoader(), ModuleLayer.boot()));
        }
        PluginsService.loadExtensions(loaded);
        this.classpathPlugins = List.copyOf(loaded);
    }

    /**
     * The server jar runs in the unnamed module here (plain classpath), so there is no module
     * descriptor whose qualified exports could be wired to plugin layers: nothing to do.
     */
    @Override
    protected void addServerExportsService(Map<String, List<ModuleQualifiedExportsService>> qualifiedExports) {}

    @Override
    protected final List<LoadedPlugin> plugins() {
        return classpathPlugins;
    }

    @Override
    public PluginsAndModules info() {
        return new PluginsAndModules(
            classpathPlugins.stream().map(LoadedPlugin::descriptor).map(PluginRuntimeInfo::new).toList(),
            List.of()
        );
    }

    @Override
    public <T> List<? extends T> loadServiceProviders(Class<T> service) {
        // All classpath plugins share the application class loader, so the SPI scan of each one
        // sees the same META-INF/services entries (including the server's own). De-duplicate by class.
        Map<Class<?>, T> byClass = new LinkedHashMap<>();
        for (T provider : super.loadServiceProviders(service)) {
            byClass.putIfAbsent(provider.getClass(), provider);
        }
        return List.copyOf(byClass.values());
    }
}
