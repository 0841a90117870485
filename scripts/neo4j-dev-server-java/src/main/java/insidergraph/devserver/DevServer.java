package insidergraph.devserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * Embedded Neo4j Community with Bolt on 127.0.0.1, for insidergraph's tests and development.
 *
 * <p>Usage (normally through {@code scripts/neo4j-dev-server start --dir DIR}):
 * <pre>
 *   NEO4J_DEV_PASSWORD=secret123 java -cp 'target/classes:target/lib/*' \
 *       insidergraph.devserver.DevServer HOME IMPORT_DIR PORT PAGECACHE_MB READY_FILE
 * </pre>
 * The password comes from the environment so that it never shows in a process listing.
 * Once user {@code neo4j} has that password and the default database answers a query,
 * the launcher writes READY_FILE; it then runs until it receives SIGTERM or SIGINT,
 * when a shutdown hook stops the databases cleanly.
 */
public final class DevServer {
    private static final String PASSWORD_ENV = "NEO4J_DEV_PASSWORD";

    private DevServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: DevServer HOME IMPORT_DIR PORT PAGECACHE_MB READY_FILE"
                    + " (password in $" + PASSWORD_ENV + ")");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Path importDir = Path.of(args[1]).toAbsolutePath();
        int port = Integer.parseInt(args[2]);
        long pageCacheBytes = Long.parseLong(args[3]) * 1024L * 1024L;
        Path readyFile = Path.of(args[4]).toAbsolutePath();
        String password = System.getenv(PASSWORD_ENV);
        // Neo4j 5 refuses passwords shorter than 8 characters; say so before starting anything.
        if (password == null || password.length() < 8) {
            System.err.println("neo4j-dev-server: $" + PASSWORD_ENV + " must hold at least 8 characters");
            System.exit(2);
        }
        Files.createDirectories(importDir);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCacheBytes)
                .setConfig(GraphDatabaseSettings.load_csv_file_url_root, importDir)
                .setConfig(GraphDatabaseSettings.allow_file_urls, true)
                // A development server need not keep old transaction logs around on a small disk.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                // Log files are preallocated at full size: 256 MB each for neo4j and system by default.
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, 64L * 1024 * 1024)
                // Netty otherwise idles 5 s before it lets the Bolt server stop, on every stop.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();
        // Registered before anything else can fail, so SIGTERM at any later moment still
        // closes the store files properly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("neo4j-dev-server: shutting down");
            dbms.shutdown();
            System.out.println("neo4j-dev-server: stopped");
        }, "neo4j-dev-server-shutdown"));

        // Embedded transactions run without authentication, so the system database accepts
        // a password change for neo4j directly; a fresh password on every start means an old
        // connection file never works against a new server.
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        system.executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        db.executeTransactionally("RETURN 1");

        writeAtomically(readyFile, "127.0.0.1:" + port + "\n");
        System.out.println("neo4j-dev-server: ready, bolt://127.0.0.1:" + port);
        new CountDownLatch(1).await();
    }

    /** Readers poll for the file, so it must never be seen half written. */
    private static void writeAtomically(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
