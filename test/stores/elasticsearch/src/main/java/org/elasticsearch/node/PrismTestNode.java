/*
 * Prism integration-test helper (test-only code, not shipped).
 *
 * Command-line launcher for a real single-node Elasticsearch bound to 127.0.0.1.
 *
 *   java -Xms512m -Xmx1g -cp target/classes:$(cat target/classpath.txt) \
 *        org.elasticsearch.node.PrismTestNode --http-port 9251 --home /tmp/es-home
 *
 * Prints "PrismTestNode started ..." on stdout once the cluster health is yellow or
 * green, runs until SIGTERM/SIGINT, then closes the node and exits 0. Any startup
 * failure (port in use, locked data dir, bad option, ...) exits non-zero with a
 * "PrismTestNode FAILED" message on stderr.
 *
 * This class deliberately does not extend Node: the JVM initialises a main class's
 * superclasses before main() runs, and logging must be configured before any
 * Elasticsearch class is initialised.
 */
package org.elasticsearch.node;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

public final class PrismTestNode {
    private static final String LOOPBACK = "127.0.0.1";
    private static final PrintStream OUT = System.out;
    private static final PrintStream ERR = System.err;

    private PrismTestNode() {}

    /** Parsed command line. */
    static final class Options {
        int httpPort = -1;
        String transportPort = null; // default: a free ephemeral loopback port
        Path home;
        String logLevel = "WARN";
        int startupTimeoutSeconds = 120;
        final Map<String, String> extraSettings = new LinkedHashMap<>();
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            ERR.println("PrismTestNode FAILED: " + e.getMessage());
            ERR.println(usage());
            System.exit(2);
            return;
        }
        long t0 = System.nanoTime();
        System.exit(run(options, t0));
    }

    static String usage() {
        return String.join(
            "\n",
            "usage: PrismTestNode --http-port <port> --home <dir> [options]",
            "  --http-port <port>        HTTP port on 127.0.0.1 (required)",
            "  --home <dir>              node home; created if missing, data in <dir>/data (required)",
            "  --transport-port <port>   transport port on 127.0.0.1 (default: a free ephemeral port)",
            "  --log-level <level>       Elasticsearch log level on stdout (default WARN)",
            "  --startup-timeout <sec>   max wait for health yellow (default 120)",
            "  -E <key>=<value>          extra Elasticsearch node setting (repeatable)"
        );
    }

    static Options parse(String[] args) {
        Options o = new Options();
        List<String> rest = new ArrayList<>(List.of(args));
        while (rest.isEmpty() == false) {
            String arg = rest.remove(0);
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            } else if (arg.startsWith("-E") && arg.length() > 2) {
                value = arg.substring(2);
                arg = "-E";
            }
            switch (arg) {
                case "-h", "--help" -> throw new IllegalArgumentException("help requested");
                case "--http-port" -> o.httpPort = port(arg, value != null ? value : next(rest, arg));
                case "--transport-port" -> o.transportPort = String.valueOf(port(arg, value != null ? value : next(rest, arg)));
                case "--home" -> o.home = Path.of(value != null ? value : next(rest, arg)).toAbsolutePath().normalize();
                case "--log-level" -> o.logLevel = (value != null ? value : next(rest, arg)).toUpperCase(Locale.ROOT);
                case "--startup-timeout" -> o.startupTimeoutSeconds = Integer.parseInt(value != null ? value : next(rest, arg));
                case "-E" -> {
                    String kv = value != null ? value : next(rest, arg);
                    int i = kv.indexOf('=');
                    if (i <= 0) throw new IllegalArgumentException("-E expects key=value, got [" + kv + "]");
                    o.extraSettings.put(kv.substring(0, i), kv.substring(i + 1));
                }
                default -> throw new IllegalArgumentException("unknown argument [" + arg + "]");
            }
        }
        if (o.httpPort < 0) throw new IllegalArgumentException("--http-port is required");
        if (o.home == null) throw new IllegalArgumentException("--home is required");
        if (Level.getLevel(o.logLevel) == null) throw new IllegalArgumentException("unknown --log-level [" + o.logLevel + "]");
        return o;
    }

    private static String next(List<String> rest, String flag) {
        if (rest.isEmpty()) throw new IllegalArgumentException(flag + " needs a value");
        return rest.remove(0);
    }

    private static int port(String flag, String value) {
        try {
            int p = Integer.parseInt(value.trim());
            if (p < 1 || p > 65535) throw new NumberFormatException();
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a port number 1..65535, got [" + value + "]");
        }
    }

    static int run(Options o, long t0) {
        // JVM-wide switches that Elasticsearch's own launcher normally passes as -D flags.
        // They must be set before log4j / netty classes are initialised.
        setIfAbsent("log4j.shutdownHookEnabled", "false"); // we stop logging ourselves, after the node closed
        setIfAbsent("log4j2.disable.jmx", "true");
        setIfAbsent("log4j2.formatMsgNoLookups", "true");
        setIfAbsent("io.netty.noUnsafe", "true");
        setIfAbsent("io.netty.noKeySetOptimization", "true");
        setIfAbsent("io.netty.recycler.maxCapacityPerThread", "0");
        setIfAbsent("io.netty.allocator.numDirectArenas", "0");
        setIfAbsent("jna.nosys", "true");
        configureLogging(Level.getLevel(o.logLevel));

        // Fail fast with a clear message if the HTTP port is taken, before paying for node construction.
        String portProblem = checkPortFree(o.httpPort);
        if (portProblem != null) {
            ERR.println("PrismTestNode FAILED: HTTP port " + LOOPBACK + ":" + o.httpPort + " is not available (" + portProblem + ")");
            return 1;
        }

        Node node = null;
        try {
            Files.createDirectories(o.home);
            node = PrismNodeFactory.create(o);
            node.start();
            PrismNodeFactory.awaitYellow(node, o.startupTimeoutSeconds);
        } catch (Throwable t) {
            ERR.println("PrismTestNode FAILED to start Elasticsearch (http " + LOOPBACK + ":" + o.httpPort + ", home " + o.home + "): "
                + describe(t));
            t.printStackTrace(ERR);
            if (node != null) {
                try {
                    node.close();
                } catch (Throwable closeFailure) {
                    // already failing; the original error is what matters
                }
            }
            return 1;
        }

        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        OUT.println(
            "PrismTestNode started: elasticsearch "
                + PrismNodeFactory.version()
                + " http://"
                + LOOPBACK
                + ":"
                + o.httpPort
                + " home="
                + o.home
                + " in "
                + millis
                + " ms (pid "
                + ProcessHandle.current().pid()
                + ")"
        );
        OUT.flush();

        return awaitSignalAndClose(node);
    }

    /** Blocks until SIGTERM/SIGINT, then closes the node. Returns the process exit code. */
    private static int awaitSignalAndClose(Node node) {
        CountDownLatch stopRequested = new CountDownLatch(1);
        AtomicBoolean closed = new AtomicBoolean(false);
        for (String name : new String[] { "TERM", "INT" }) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    OUT.println("PrismTestNode: received SIG" + sig.getName() + ", stopping");
                    OUT.flush();
                    stopRequested.countDown();
                });
            } catch (IllegalArgumentException e) {
                ERR.println("PrismTestNode: cannot handle SIG" + name + " (" + e.getMessage() + ")");
            }
        }
        // Fallback for any other JVM exit path (e.g. SIGHUP): still try to release the data dir lock cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeNode(node, closed), "prism-es-shutdown"));

        while (true) {
            try {
                stopRequested.await();
                break;
            } catch (InterruptedException e) {
                // keep waiting for a signal
            }
        }
        boolean ok = closeNode(node, closed);
        OUT.println(ok ? "PrismTestNode stopped" : "PrismTestNode stopped with errors");
        OUT.flush();
        Configurator.shutdown(org.apache.logging.log4j.core.LoggerContext.getContext(false));
        return ok ? 0 : 1;
    }

    private static boolean closeNode(Node node, AtomicBoolean closed) {
        if (closed.compareAndSet(false, true) == false) {
            return true;
        }
        try {
            node.close();
            if (node.awaitClose(30, TimeUnit.SECONDS) == false) {
                ERR.println("PrismTestNode: node did not finish closing within 30s");
                return false;
            }
            return true;
        } catch (Throwable t) {
            ERR.println("PrismTestNode: error while closing node: " + describe(t));
            t.printStackTrace(ERR);
            return false;
        }
    }

    private static String checkPortFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port));
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (sb.length() > 0) sb.append(" <- caused by: ");
            sb.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
            if (c.getCause() == c) break;
        }
        return sb.toString();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Console logging on stdout at the given level; Elasticsearch's logging facade is bound to log4j. */
    private static void configureLogging(Level level) {
        ConfigurationBuilder<BuiltConfiguration> b = ConfigurationBuilderFactory.newConfigurationBuilder();
        b.setStatusLevel(Level.ERROR);
        b.setConfigurationName("prism-test-node");
        b.add(
            b.newAppender("console", "Console")
                .addAttribute("target", "SYSTEM_OUT")
                .add(b.newLayout("PatternLayout").addAttribute("pattern", "[%d{ISO8601}][%-5p][%c{1.}] %m%n"))
        );
        b.add(b.newRootLogger(level).add(b.newAppenderRef("console")));
        Configurator.initialize(b.build());
        org.elasticsearch.common.logging.LogConfigurator.configureESLogging();
    }
}
