package io.trainledger.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunConfigDocumentTest {
    private static final String VALID_YAML = """
            runId: my-run
            method: PLPP
            dataset: hue-shift
            seed: 7
            steps: 400
            lambdaPpl: 2.5
            contextInit: a photo of a
            checkpoint:
              intervalSteps: 50
            chaos:
              mtbfSeconds: 30
              mix: {CRASH: 1, HANG: 0.5}
              seed: 3
              maxFaults: 4
            labels: {team: vision}
            """;

    @TempDir
    Path dir;

    private static List<FieldError> errors(String yaml) throws Exception {
        return RunConfigDocument.validate(RunConfigDocument.parse(yaml, false, "test.yaml"));
    }

    @Test
    void aCompleteYamlConfigIsValidAndOmittedFieldsAreLeftToTheirDefaults() throws Exception {
        ObjectNode doc = RunConfigDocument.parse(VALID_YAML, false, "run.yaml");
        assertThat(RunConfigDocument.validate(doc)).isEmpty();
        assertThat(doc.has("batchSize")).isFalse();
        assertThat(doc.get("steps").asLong()).isEqualTo(400);
    }

    @Test
    void jsonFilesAreReadAsJson() throws Exception {
        Path f = dir.resolve("run.json");
        Files.writeString(f, "{\"method\":\"COOP\",\"dataset\":\"hue-shift\",\"seed\":1,\"steps\":10,"
                + "\"checkpoint\":{\"intervalSteps\":5}}");
        assertThat(RunConfigDocument.validate(RunConfigDocument.read(f))).isEmpty();
        Files.writeString(f, "method: COOP");
        assertThatThrownBy(() -> RunConfigDocument.read(f)).hasMessageContaining("run.json:1:").hasMessageContaining("not valid JSON");
    }

    @Test
    void everyErrorNamesTheFieldAndTheReason() throws Exception {
        List<FieldError> e = errors("""
                method: FANCY
                dataset: 12
                seed: 1.5
                steps: many
                lambdaPpl: high
                lamdaIppl: 1
                checkpoint: {intervalSteps: 3000000000, adaptive: "yes please"}
                chaos: {mtbfSeconds: 10, mix: {CRASH: lots}, seed: 1}
                """);
        assertThat(e).extracting(FieldError::field).containsExactlyInAnyOrder("lamdaIppl", "method", "dataset", "seed",
                "steps", "lambdaPpl", "checkpoint.intervalSteps", "checkpoint.adaptive", "chaos.mix.CRASH");
        assertThat(e).contains(
                new FieldError("method", "must be one of COOP, KGCOOP, PLPP, PLPP_KGCOOP, ZERO_SHOT, found \"FANCY\""),
                new FieldError("seed", "must be a whole number, found a number 1.5"),
                new FieldError("checkpoint.intervalSteps", "must be a whole number (32-bit), found a number 3000000000"),
                new FieldError("chaos.mix.CRASH", "must be a number, found \"lots\""));
        assertThat(e.stream().filter(x -> x.field().equals("lamdaIppl")).findFirst().orElseThrow().reason())
                .startsWith("unknown field");
    }

    @Test
    void requiredFieldsAreNamed() throws Exception {
        assertThat(errors("method: COOP\nchaos: {mix: {}}\n")).containsExactlyInAnyOrder(
                new FieldError("dataset", "is required"), new FieldError("seed", "is required"),
                new FieldError("steps", "is required"), new FieldError("checkpoint", "is required"),
                new FieldError("chaos.mtbfSeconds", "is required"), new FieldError("chaos.seed", "is required"));
    }

    @Test
    void nullIsAllowedOnlyWhereTheSchemaSaysSo() throws Exception {
        String base = "method: COOP\ndataset: d\nseed: 1\nsteps: 2\ncheckpoint: {intervalSteps: 1}\n";
        assertThat(errors(base + "chaos: null\ncontextInit: null\n")).isEmpty();
        assertThat(errors(base + "shots: null\n")).containsExactly(new FieldError("shots", "must be a whole number (32-bit), found null"));
        assertThat(errors(base + "runId: ''\n")).containsExactly(new FieldError("runId", "must be a non-empty string"));
    }

    @Test
    void malformedOrEmptyFilesSayWhere() {
        assertThatThrownBy(() -> RunConfigDocument.parse("method: [COOP\n", false, "bad.yaml"))
                .hasMessageStartingWith("bad.yaml:").hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> RunConfigDocument.parse("", false, "empty.yaml")).hasMessageContaining("empty");
        assertThatThrownBy(() -> RunConfigDocument.parse("- a\n- b\n", false, "list.yaml"))
                .hasMessageContaining("expected an object").hasMessageContaining("a list");
        assertThatThrownBy(() -> RunConfigDocument.parse("seed: 1\nseed: 2\n", false, "dup.yaml"))
                .hasMessageContaining("Duplicate field 'seed'");
    }

    @Test
    void theDemoRunConformsToTheSchema() {
        ObjectNode s = new DemoRun("plpp", 1500, 1, true, 15, 12, 50).submission("demo-1");
        assertThat(RunConfigDocument.validate(s)).isEmpty();
        assertThat(s.get("method").asText()).isEqualTo("PLPP");
        assertThat(s.get("chaos").get("mix").size()).isEqualTo(4);
        assertThat(RunConfigDocument.validate(new DemoRun("coop", 10, 2, false, 15, 0, 5).submission("x"))).isEmpty();
        assertThat(new DemoRun("coop", 10, 2, false, 15, 0, 5).submission("x").has("chaos")).isFalse();
    }
}
