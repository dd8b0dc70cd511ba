package dev.prism.teststores;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.configuration.ssl.ClientAuth;
import org.neo4j.configuration.ssl.SslPolicyConfig;
import org.neo4j.configuration.ssl.SslPolicyScope;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.config.Setting;
import org.neo4j.graphdb.event.DatabaseEventContext;
import org.neo4j.graphdb.event.DatabaseEventListener;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

import sun.misc.Signal;

/**
 * Prism integration-test helper: runs a real Neo4j Community DBMS (the jars of org.neo4j:neo4j) in this
 * JVM, with the Bolt connector on 127.0.0.1:&lt;bolt-port&gt;, auth and TLS off, HTTP/HTTPS off.
 * A secured variant (issue #18: Prism must connect to a server with auth and TLS on) adds
 * {@code --password P} (native auth on; user {@code neo4j} gets password P) and {@code --tls-dir DIR}
 * (Bolt TLS required, with DIR/private.key and DIR/public.crt).
 *
 * <pre>
 *   java -Xms256m -Xmx1g -cp target/classes:$(cat target/classpath.txt) \
 *     dev.prism.teststores.Neo4jTestServer --bolt-port 7697 --home /tmp/neo4j-home
 * </pre>
 *
 * Database files live under --home (data/databases, data/transactions, logs/debug.log); a restart on the same
 * home after a clean stop keeps the data. Runs until SIGTERM/SIGINT, then shuts the DBMS down and exits 0.
 * Exits 1 (with a message on stderr) on bad arguments or if the DBMS cannot start, e.g. the port is taken.
 * Exits 3 if a database panics while running.
 */
public final class Neo4jTestServer {
    private static final String LOOPBACK = "127.0.0.1";
    private static final String TAG = "[neo4j-test-server] ";

    private Neo4jTestServer() {}

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(TAG + "error: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(options));
    }

    static int run(Options options) {
        long t0 = System.nanoTime();
        PrintStream out = System.out;

        Path home;
        try {
            home = Files.createDirectories(options.home).toAbsolutePath().normalize();
        } catch (IOException | RuntimeException e) {
            System.err.println(TAG + "error: cannot create home directory " + options.home + ": " + e);
            return 1;
        }

        // Fail fast with a clear message if the ports are taken (Neo4j would fail too, with a longer trace).
        String portProblem = checkPortFree(options.boltPort, "Bolt");
        if (portProblem == null && options.httpPort > 0) portProblem = checkPortFree(options.httpPort, "HTTP");
        if (portProblem != null) {
            System.err.println(TAG + "error: " + portProblem);
            return 1;
        }

        CountDownLatch stopRequested = new CountDownLatch(1);
        AtomicReference<String> stopReason = new AtomicReference<>();
        AtomicBoolean panicked = new AtomicBoolean(false);
        for (String sig : new String[] {"TERM", "INT", "HUP"}) {
            try {
                Signal.handle(new Signal(sig), s -> {
                    if (stopReason.compareAndSet(null, "SIG" + s.getName())) {
                        stopRequested.countDown();
                    } else {
                        System.err.println(TAG + "already stopping; ignoring SIG" + s.getName());
                    }
                });
            } catch (IllegalArgumentException e) {
                // Signal not available on this platform; the shutdown hook below still covers it.
            }
        }

        Log4jLogProvider userLog = new Log4jLogProvider(out, options.logLevel);
        DatabaseManagementService dbms;
        try {
            dbms = new DatabaseManagementServiceBuilder(home)
                    .setConfig(settings(options))
                    .setUserLogProvider(userLog)
                    .addDatabaseListener(new PanicListener(panicked, stopReason, stopRequested))
                    .build();
        } catch (Throwable e) {
            System.err.println(TAG + "error: Neo4j failed to start: " + describe(e));
            e.printStackTrace(System.err);
            userLog.close();
            return 1;
        }

        AtomicBoolean shutDown = new AtomicBoolean(false);
        Thread hook = new Thread(() -> {
            // Only reached on exits we did not initiate (e.g. System.exit from elsewhere); keeps the store clean.
            if (shutDown.compareAndSet(false, true)) {
                System.err.println(TAG + "JVM exiting; shutting Neo4j down");
                safeShutdown(dbms);
            }
        }, "neo4j-test-server-shutdown-hook");
        Runtime.getRuntime().addShutdownHook(hook);

        try {
            GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            if (!db.isAvailable(Duration.ofSeconds(120).toMillis())) {
                throw new IllegalStateException("database '" + db.databaseName() + "' did not become available");
            }
            db.executeTransactionally("RETURN 1");
            if (options.password != null) setPassword(dbms, options.password);
        } catch (Throwable e) {
            System.err.println(TAG + "error: Neo4j started but the default database is not usable: " + describe(e));
            e.printStackTrace(System.err);
            shutDownOnce(dbms, shutDown);
            userLog.close();
            return 1;
        }

        long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        out.println(TAG + "Neo4j " + neo4jVersion() + " Community started in " + ms + " ms; Bolt on bolt://" + LOOPBACK
                + ":" + options.boltPort + (options.httpPort > 0 ? ", HTTP on http://" + LOOPBACK + ":" + options.httpPort : "")
                + (options.password != null ? " (auth enabled" : " (auth disabled")
                + (options.tlsDir != null ? ", TLS required)" : ")") + "; home " + home);
        out.println(TAG + "READY bolt://" + LOOPBACK + ":" + options.boltPort);
        out.flush();

        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopReason.compareAndSet(null, "interrupt");
        }

        out.println(TAG + "stopping (" + stopReason.get() + "); shutting Neo4j down");
        out.flush();
        boolean clean = shutDownOnce(dbms, shutDown);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
        out.println(TAG + (clean ? "stopped cleanly" : "stopped with errors"));
        out.flush();
        userLog.close();
        if (panicked.get()) return 3;
        return clean ? 0 : 1;
    }

    public static Map<Setting<?>, Object> settings(Options options) {
        Map<Setting<?>, Object> s = new LinkedHashMap<>();
        // Every connector on loopback only.
        s.put(GraphDatabaseSettings.default_listen_address, new SocketAddress(LOOPBACK));
        s.put(GraphDatabaseSettings.default_advertised_address, new SocketAddress(LOOPBACK));
        s.put(BoltConnector.enabled, true);
        s.put(BoltConnector.listen_address, new SocketAddress(LOOPBACK, options.boltPort));
        s.put(BoltConnector.advertised_address, new SocketAddress(LOOPBACK, options.boltPort));
        if (options.tlsDir != null) {
            SslPolicyConfig bolt = SslPolicyConfig.forScope(SslPolicyScope.BOLT);
            s.put(bolt.enabled, true);
            s.put(bolt.base_directory, options.tlsDir.toAbsolutePath());
            s.put(bolt.private_key, options.tlsDir.resolve("private.key").toAbsolutePath());
            s.put(bolt.public_certificate, options.tlsDir.resolve("public.crt").toAbsolutePath());
            s.put(bolt.client_auth, ClientAuth.NONE);
            s.put(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.REQUIRED);
        } else {
            s.put(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED);
        }
        // HTTP (the embedded DBMS does serve it when enabled) only with --http-port; HTTPS never.
        s.put(HttpConnector.enabled, options.httpPort > 0);
        if (options.httpPort > 0) s.put(HttpConnector.listen_address, new SocketAddress(LOOPBACK, options.httpPort));
        s.put(HttpsConnector.enabled, false);
        s.put(GraphDatabaseSettings.auth_enabled, options.password != null);
        // Modest memory; transaction memory limits and db.transaction.timeout stay at their defaults.
        s.put(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(options.pageCacheMb));
        // Bolt's Netty event loops otherwise wait a 5 s quiet period (twice) on shutdown; nothing is in flight then.
        s.put(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0);
        // No usage reports ("UDC") leave this machine.
        s.put(GraphDatabaseSettings.udc_enabled, false);
        s.put(GraphDatabaseInternalSettings.udc_network_enabled, false);
        return s;
    }

    /**
     * Gives the built-in {@code neo4j} user its password without the "change required" step. Embedded
     * transactions run with full rights, so this works although Bolt clients now need the password.
     */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        system.executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
    }

    private static boolean shutDownOnce(DatabaseManagementService dbms, AtomicBoolean shutDown) {
        if (!shutDown.compareAndSet(false, true)) return true;
        return safeShutdown(dbms);
    }

    private static boolean safeShutdown(DatabaseManagementService dbms) {
        try {
            dbms.shutdown();
            return true;
        } catch (Throwable e) {
            System.err.println(TAG + "error during shutdown: " + describe(e));
            e.printStackTrace(System.err);
            return false;
        }
    }

    /** Returns null if 127.0.0.1:port can be bound now, else a human-readable reason. */
    private static String checkPortFree(int port, String what) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port));
            return null;
        } catch (IOException e) {
            return what + " port " + LOOPBACK + ":" + port + " is not available (" + e.getMessage()
                    + "); is another Neo4j or service already running there?";
        }
    }

    private static String describe(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null && parts.size() < 8; t = t.getCause()) {
            parts.add(t.getClass().getSimpleName() + ": " + t.getMessage());
            if (t.getCause() == t) break;
        }
        return String.join(" <- caused by ", parts);
    }

    private static String neo4jVersion() {
        String v = DatabaseManagementServiceBuilder.class.getPackage().getImplementationVersion();
        return v != null ? v : "5.26";
    }

    private static final class PanicListener implements DatabaseEventListener {
        private final AtomicBoolean panicked;
        private final AtomicReference<String> stopReason;
        private final CountDownLatch stopRequested;

        PanicListener(AtomicBoolean panicked, AtomicReference<String> stopReason, CountDownLatch stopRequested) {
            this.panicked = panicked;
            this.stopReason = stopReason;
            this.stopRequested = stopRequested;
        }

        @Override
        public void databasePanic(DatabaseEventContext ctx) {
            System.err.println(TAG + "error: database '" + ctx.getDatabaseName() + "' panicked; see logs/debug.log under --home");
            panicked.set(true);
            if (stopReason.compareAndSet(null, "database panic")) stopRequested.countDown();
        }

        @Override
        public void databaseStart(DatabaseEventContext ctx) {}

        @Override
        public void databaseShutdown(DatabaseEventContext ctx) {}

        @Override
        public void databaseCreate(DatabaseEventContext ctx) {}

        @Override
        public void databaseDrop(DatabaseEventContext ctx) {}
    }

    public static final class Options {
        static final String USAGE = "usage: Neo4jTestServer --bolt-port PORT --home DIR"
                + " [--http-port PORT (default: HTTP off)] [--page-cache-mb N (default 256)]"
                + " [--log-level DEBUG|INFO|WARN|ERROR (default INFO)]"
                + " [--password P (auth on; user neo4j)] [--tls-dir DIR (Bolt TLS required: DIR/private.key, DIR/public.crt)]";

        int boltPort = -1;
        Path home;
        int httpPort = 0;
        long pageCacheMb = 256;
        Level logLevel = Level.INFO;
        String password;
        Path tlsDir;

        public static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    v = a.substring(eq + 1);
                    a = a.substring(0, eq);
                } else if (a.equals("-h") || a.equals("--help")) {
                    throw new IllegalArgumentException("help requested");
                } else {
                    if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + a);
                    v = args[++i];
                }
                switch (a) {
                    case "--bolt-port" -> o.boltPort = port(a, v);
                    case "--http-port" -> o.httpPort = port(a, v);
                    case "--home" -> o.home = Path.of(v);
                    case "--page-cache-mb" -> o.pageCacheMb = Long.parseLong(v);
                    case "--password" -> o.password = v;
                    case "--tls-dir" -> o.tlsDir = Path.of(v);
                    case "--log-level" -> o.logLevel = Level.valueOf(v.toUpperCase(java.util.Locale.ROOT));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (o.boltPort < 0) throw new IllegalArgumentException("--bolt-port is required");
            if (o.home == null) throw new IllegalArgumentException("--home is required");
            if (o.password != null && o.password.length() < 8)
                throw new IllegalArgumentException("--password must have at least 8 characters (Neo4j's minimum)");
            if (o.httpPort == o.boltPort) throw new IllegalArgumentException("--http-port must differ from --bolt-port");
            return o;
        }

        private static int port(String name, String v) {
            int p;
            try {
                p = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a number, got '" + v + "'");
            }
            if (p < 1 || p > 65535) throw new IllegalArgumentException(name + " out of range: " + p);
            return p;
        }
    }
}
