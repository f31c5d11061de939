package io.trainledger.trainer.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trainledger.events.ChaosSettings;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.events.PerplexityAlignment;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RunConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AvroJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static AvroJson.Result<RunConfig> read(String json) throws Exception {
        JsonNode node = MAPPER.readTree(json);
        return AvroJson.read(node, RunConfig.class, RunConfig.getClassSchema());
    }

    @Test
    void omittedFieldsTakeTheAvroDefaults() throws Exception {
        AvroJson.Result<RunConfig> r = read("""
                {"method": "PLPP", "dataset": "hue-shift", "seed": 3, "steps": 100,
                 "checkpoint": {"intervalSteps": 25}}""");

        assertThat(r.errors()).isEmpty();
        RunConfig expected = RunConfig.newBuilder().setMethod(PromptMethod.PLPP).setDataset("hue-shift").setSeed(3)
                .setSteps(100).setCheckpoint(CheckpointPolicy.newBuilder().setIntervalSteps(25).build()).build();
        assertThat(r.value()).isEqualTo(expected);
        assertThat(r.value().getAlignment()).isEqualTo(PerplexityAlignment.NEXT_TOKEN);
        assertThat(r.value().getShots()).isEqualTo(16);
        assertThat(r.value().getChaos()).isNull();
        assertThat(r.value().getCheckpoint().getKeepLast()).isEqualTo(3);
    }

    @Test
    void everyFieldGivenIsTakenWithNestedRecordsAndMaps() throws Exception {
        AvroJson.Result<RunConfig> r = read("""
                {"method": "KGCOOP", "dataset": "hue-shift", "seed": 9, "steps": 40, "shots": 4, "batchSize": 8,
                 "contextInit": "a photo of a", "learningRate": 0.01, "alignment": "SAME_POSITION",
                 "checkpoint": {"intervalSteps": 5, "adaptive": false, "keepLast": 2, "keepEvery": 4},
                 "chaos": {"mtbfSeconds": 30, "mix": {"CRASH": 1, "HANG": 0.5}, "seed": 11, "maxFaults": 3},
                 "labels": {"team": "ml"}}""");

        assertThat(r.errors()).isEmpty();
        RunConfig c = r.value();
        assertThat(c.getMethod()).isEqualTo(PromptMethod.KGCOOP);
        assertThat(c.getLearningRate()).isEqualTo(0.01);
        assertThat(c.getAlignment()).isEqualTo(PerplexityAlignment.SAME_POSITION);
        assertThat(c.getCheckpoint()).isEqualTo(CheckpointPolicy.newBuilder().setIntervalSteps(5).setAdaptive(false)
                .setKeepLast(2).setKeepEvery(4).build());
        assertThat(c.getChaos()).isEqualTo(ChaosSettings.newBuilder().setMtbfSeconds(30)
                .setMix(Map.of("CRASH", 1.0, "HANG", 0.5)).setSeed(11).setMaxFaults(3).build());
        assertThat(c.getLabels()).containsEntry("team", "ml");
    }

    @Test
    void everyProblemIsNamedByItsPath() throws Exception {
        AvroJson.Result<RunConfig> r = read("""
                {"method": "SGD", "dataset": 5, "seed": 1.5, "steps": "10", "lr": 0.1,
                 "checkpoint": {"keepLast": 2, "color": "red"}, "chaos": {"mtbfSeconds": "x", "mix": {"CRASH": true},
                 "seed": 1}}""");

        assertThat(r.ok()).isFalse();
        assertThat(r.value()).isNull();
        assertThat(r.errors()).extracting(AvroJson.FieldError::field).containsExactlyInAnyOrder(
                "lr", "method", "dataset", "seed", "steps", "checkpoint.color", "checkpoint.intervalSteps",
                "chaos.mtbfSeconds", "chaos.mix.CRASH");
        assertThat(reason(r, "lr")).startsWith("unknown field");
        assertThat(reason(r, "method")).contains("COOP").contains("SGD");
        assertThat(reason(r, "seed")).contains("whole number");
        assertThat(reason(r, "steps")).contains("whole number").contains("string");
        assertThat(reason(r, "checkpoint.intervalSteps")).isEqualTo("is required");
        assertThat(reason(r, "chaos.mix.CRASH")).contains("number");
    }

    @Test
    void requiredFieldsAreNamedWhenMissingAndNullIsOnlyForNullableFields() throws Exception {
        AvroJson.Result<RunConfig> r = read("{\"dataset\": null, \"chaos\": null}");

        assertThat(r.errors()).extracting(AvroJson.FieldError::field)
                .containsExactlyInAnyOrder("method", "dataset", "seed", "steps", "checkpoint");
        assertThat(reason(r, "dataset")).contains("string").contains("null");
        assertThat(read("[1, 2]").errors()).singleElement()
                .satisfies(e -> assertThat(e.field()).isEqualTo("(body)"));
    }

    private static String reason(AvroJson.Result<?> r, String field) {
        return r.errors().stream().filter(e -> e.field().equals(field)).findFirst().orElseThrow().reason();
    }
}
