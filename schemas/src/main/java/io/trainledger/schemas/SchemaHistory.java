package io.trainledger.schemas;

import io.trainledger.commands.RunCommand;
import io.trainledger.events.Heartbeat;
import io.trainledger.events.RunEvent;
import io.trainledger.tor.TorReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;

/**
 * Every version of every value schema that has been part of the contract, oldest first, shipped in this jar under
 * {@code io/trainledger/schemas/history/<subject>/v<N>.avsc}. A schema change adds a version here (the build's
 * tests refuse a current schema that differs from the newest recorded one), and the evolution test registers them
 * all in order under the registry's BACKWARD rule. Auditors decoding old ledgers can use them too.
 */
public final class SchemaHistory {
    private static final String BASE = "/io/trainledger/schemas/history/";

    /** Subject (TopicIdStrategy: {@code <topic>-value}) to the schema of the classes compiled into this jar. */
    public static final Map<String, Schema> CURRENT = currentSchemas();

    private SchemaHistory() {
    }

    /** All recorded versions of a subject, oldest first. */
    public static List<Schema> versions(String subject) {
        return texts(subject).stream().map(text -> new Schema.Parser().parse(text)).toList();
    }

    /** The recorded versions' JSON texts, oldest first. */
    public static List<String> texts(String subject) {
        int latest = Integer.parseInt(index().getProperty(subject, "0"));
        List<String> out = new ArrayList<>();
        for (int v = 1; v <= latest; v++) {
            try (InputStream in = SchemaHistory.class.getResourceAsStream(BASE + subject + "/v" + v + ".avsc")) {
                if (in == null) {
                    throw new IllegalStateException("missing history " + subject + " v" + v);
                }
                out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** Subject name of a topic's values. */
    public static String valueSubject(Topic<?, ?> topic) {
        return topic.name() + "-value";
    }

    private static Properties index() {
        Properties p = new Properties();
        try (InputStream in = SchemaHistory.class.getResourceAsStream(BASE + "index.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private static Map<String, Schema> currentSchemas() {
        Map<String, Schema> m = new LinkedHashMap<>();
        m.put(valueSubject(Topics.RUN_EVENTS), RunEvent.getClassSchema());
        m.put(valueSubject(Topics.HEARTBEATS), Heartbeat.getClassSchema());
        m.put(valueSubject(Topics.COMMANDS), RunCommand.getClassSchema());
        m.put(valueSubject(Topics.TOR), TorReport.getClassSchema());
        return Map.copyOf(m);
    }

    /**
     * Writes the current schemas as a new history version where they differ from the newest recorded one (run by
     * the developer who changes a schema: {@code ./mvnw -pl schemas exec:java}).
     */
    public static void main(String[] args) throws IOException {
        java.nio.file.Path dir = java.nio.file.Path.of(args.length > 0 ? args[0] : "src/main/resources/io/trainledger/schemas/history");
        java.nio.file.Files.createDirectories(dir);
        Properties idx = new Properties();
        java.nio.file.Path idxFile = dir.resolve("index.properties");
        if (java.nio.file.Files.exists(idxFile)) {
            try (var in = java.nio.file.Files.newInputStream(idxFile)) {
                idx.load(in);
            }
        }
        for (Map.Entry<String, Schema> e : new java.util.TreeMap<>(CURRENT).entrySet()) {
            int latest = Integer.parseInt(idx.getProperty(e.getKey(), "0"));
            java.nio.file.Path subjectDir = dir.resolve(e.getKey());
            if (latest > 0) {
                String newest = java.nio.file.Files.readString(subjectDir.resolve("v" + latest + ".avsc"));
                if (new Schema.Parser().parse(newest).equals(e.getValue())) {
                    continue;
                }
            }
            java.nio.file.Files.createDirectories(subjectDir);
            java.nio.file.Files.writeString(subjectDir.resolve("v" + (latest + 1) + ".avsc"), e.getValue().toString(true) + "\n");
            idx.setProperty(e.getKey(), Integer.toString(latest + 1));
            System.out.println(e.getKey() + ": recorded v" + (latest + 1));
        }
        try (var out = java.nio.file.Files.newOutputStream(idxFile)) {
            idx.store(out, "Newest recorded version of each value subject");
        }
    }
}
