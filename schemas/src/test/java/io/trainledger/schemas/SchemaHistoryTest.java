package io.trainledger.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.api.Test;

class SchemaHistoryTest {

    @Test
    void everySubjectHasAHistoryEndingWithTheCompiledSchema() {
        assertThat(SchemaHistory.CURRENT).containsOnlyKeys("trainledger.run-events-value", "trainledger.heartbeats-value",
                "trainledger.commands-value", "trainledger.tor-value");
        SchemaHistory.CURRENT.forEach((subject, current) -> {
            List<Schema> versions = SchemaHistory.versions(subject);
            assertThat(versions).as("history of %s (record a schema change with ./mvnw -pl schemas compile "
                    + "exec:java)", subject).isNotEmpty();
            assertThat(versions.get(versions.size() - 1)).as("newest recorded %s (record a change with ./mvnw -pl schemas compile exec:java)", subject).isEqualTo(current);
        });
    }

    @Test
    void theCompiledSchemaReadsEveryRecordedVersion() {
        // Avro's own resolution rules (independent of the registry): current reader vs each historical writer.
        SchemaHistory.CURRENT.forEach((subject, current) -> {
            for (Schema old : SchemaHistory.versions(subject)) {
                assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, old).getType())
                        .as("%s reads %s", subject, old.getFullName())
                        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
            }
        });
    }
}
