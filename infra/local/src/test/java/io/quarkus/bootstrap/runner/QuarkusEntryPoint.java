package io.quarkus.bootstrap.runner;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * A stand-in for a packaged Quarkus app in infra/local's tests: {@code ServiceSpec.quarkusApp} runs this class name
 * from {@code quarkus-run.jar}, so the test packs this class into such a jar. It answers {@code /q/health/ready} on
 * {@code quarkus.http.host:quarkus.http.port}, records its pid, system properties and API token in its working
 * directory, and exits when the watchdog sees the launcher go or on SIGTERM.
 */
public final class QuarkusEntryPoint {
    private QuarkusEntryPoint() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        Properties seen = new Properties();
        seen.putAll(System.getProperties());
        String token = System.getenv("TRAINLEDGER_API_TOKEN");
        seen.setProperty("env.TRAINLEDGER_API_TOKEN", token == null ? "" : token);
        try (var out = Files.newOutputStream(dir.resolve("stand-in.properties"))) {
            seen.store(out, "what the stand-in service was started with");
        }
        Files.writeString(dir.resolve("stand-in.starts"), ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        HttpServer server = HttpServer.create(new InetSocketAddress(
                InetAddress.getByName(System.getProperty("quarkus.http.host")),
                Integer.getInteger("quarkus.http.port")), 0);
        server.createContext("/q/health/ready", exchange -> {
            byte[] body = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
        Thread.currentThread().join();
    }
}
