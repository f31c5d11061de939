package io.trainledger.trainer;

import io.trainledger.commands.SubmitRun;
import io.trainledger.events.ChaosSettings;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.events.FailureType;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RunConfig;
import io.trainledger.plpp.ProceduralWorld;
import io.trainledger.plpp.Vocabulary;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@link SubmitRun} before anything runs: the first problem found becomes a {@link Rejection} naming the
 * field. Plain Java so it is tested without Kafka; the vocabulary is the procedural world's (the one PLPP runs on).
 */
public final class SubmitValidator {
    /** Context vectors plus SOS, the longest class name, '.' and EOS must fit the text encoder's 24 positions. */
    static final int MAX_CONTEXT_LENGTH = 16;
    public static final Set<FailureType> INJECTABLE =
            Set.of(FailureType.CRASH, FailureType.HANG, FailureType.NAN_LOSS, FailureType.STRAGGLER);
    private static final Pattern DEVICE = Pattern.compile("auto|cpu|gpu|gpu:\\d+");

    private final Vocabulary vocabulary;
    private final boolean chaosEnabled;

    public SubmitValidator(Vocabulary vocabulary, boolean chaosEnabled) {
        this.vocabulary = vocabulary;
        this.chaosEnabled = chaosEnabled;
    }

    /** A validator against the built-in procedural world's vocabulary. */
    public static SubmitValidator forProceduralWorld(boolean chaosEnabled) {
        return new SubmitValidator(new ProceduralWorld(20).vocabulary(), chaosEnabled);
    }

    public int vocabularySize() {
        return vocabulary.size();
    }

    /** The first problem with this submission, or empty when it can run. */
    public Optional<Rejection> validate(String runId, SubmitRun submit, boolean runExists) {
        if (runId == null || runId.isBlank()) {
            return reject("runId", "run id is missing");
        }
        if (runExists) {
            return reject("runId", "run id '" + runId + "' already exists");
        }
        if (submit == null || submit.getConfig() == null) {
            return reject("config", "run config is missing");
        }
        Double ideal = submit.getIdealStepSeconds();
        if (ideal != null && !(ideal > 0 && Double.isFinite(ideal))) {
            return reject("idealStepSeconds", "idealStepSeconds must be a positive number of seconds, not " + ideal);
        }
        return validate(submit.getConfig());
    }

    Optional<Rejection> validate(RunConfig c) {
        PromptMethod method = c.getMethod();
        if (method == null || method == PromptMethod.UNKNOWN) {
            return reject("method", "unknown method " + method + " (COOP, KGCOOP, PLPP, PLPP_KGCOOP, ZERO_SHOT)");
        }
        if (c.getDataset() == null || c.getDataset().isBlank()) {
            return reject("dataset", "dataset is missing");
        }
        try {
            ProceduralWorld.Shift.forDataset(c.getDataset());
        } catch (IllegalArgumentException e) {
            return reject("dataset", e.getMessage());
        }
        if (c.getShots() <= 0) {
            return reject("shots", "shots must be >= 1, not " + c.getShots());
        }
        boolean trains = method != PromptMethod.ZERO_SHOT;
        if (trains ? c.getSteps() <= 0 : c.getSteps() < 0) {
            return reject("steps", "steps must be >= " + (trains ? 1 : 0) + ", not " + c.getSteps());
        }
        if (c.getBatchSize() <= 0) {
            return reject("batchSize", "batchSize must be >= 1, not " + c.getBatchSize());
        }
        if (c.getContextLength() <= 0 || c.getContextLength() > MAX_CONTEXT_LENGTH) {
            return reject("contextLength", "contextLength must be in [1, " + MAX_CONTEXT_LENGTH + "], not "
                    + c.getContextLength());
        }
        if (c.getContextInit() != null && !c.getContextInit().isBlank()) {
            for (String word : c.getContextInit().trim().split("\\s+")) {
                if (!vocabulary.contains(word)) {
                    return reject("contextInit", "word '" + word + "' is not in the vocabulary");
                }
            }
        }
        if (!positive(c.getLearningRate())) {
            return reject("learningRate", "learningRate must be > 0, not " + c.getLearningRate());
        }
        if (!(c.getMomentum() >= 0 && c.getMomentum() < 1)) {
            return reject("momentum", "momentum must be in [0, 1), not " + c.getMomentum());
        }
        if (!nonNegative(c.getWeightDecay())) {
            return reject("weightDecay", "weightDecay must be >= 0, not " + c.getWeightDecay());
        }
        if (c.getWarmupSteps() < 0) {
            return reject("warmupSteps", "warmupSteps must be >= 0, not " + c.getWarmupSteps());
        }
        if (!positive(c.getWarmupLearningRate())) {
            return reject("warmupLearningRate", "warmupLearningRate must be > 0, not " + c.getWarmupLearningRate());
        }
        if (c.getTopK() < 1 || c.getTopK() > vocabulary.size()) {
            return reject("topK", "topK must be in [1, " + vocabulary.size() + "] (the vocabulary size), not "
                    + c.getTopK());
        }
        if (!positive(c.getTauQ())) {
            return reject("tauQ", "tauQ must be > 0, not " + c.getTauQ());
        }
        if (!nonNegative(c.getLambdaPpl())) {
            return reject("lambdaPpl", "lambdaPpl must be >= 0, not " + c.getLambdaPpl());
        }
        if (!nonNegative(c.getLambdaIppl())) {
            return reject("lambdaIppl", "lambdaIppl must be >= 0, not " + c.getLambdaIppl());
        }
        if (c.getAlignment() == null) {
            return reject("alignment", "alignment is missing (NEXT_TOKEN or SAME_POSITION)");
        }
        if (!nonNegative(c.getKgcoopWeight())) {
            return reject("kgcoopWeight", "kgcoopWeight must be >= 0, not " + c.getKgcoopWeight());
        }
        if (c.getDevice() == null || !DEVICE.matcher(c.getDevice().trim().toLowerCase()).matches()) {
            return reject("device", "device must be auto, cpu, gpu or gpu:N, not '" + c.getDevice() + "'");
        }
        if (c.getEvalEverySteps() < 0) {
            return reject("evalEverySteps", "evalEverySteps must be >= 0, not " + c.getEvalEverySteps());
        }
        Optional<Rejection> policy = validate(c.getCheckpoint());
        if (policy.isPresent()) {
            return policy;
        }
        if (c.getChaos() != null) {
            if (!chaosEnabled) {
                return reject("chaos", "fault injection is disabled on this trainer "
                        + "(trainledger.trainer.chaos.enabled=false)");
            }
            return validate(c.getChaos());
        }
        return Optional.empty();
    }

    /** Checks a checkpoint policy (also used for SetCheckpointPolicy). */
    public static Optional<Rejection> validate(CheckpointPolicy p) {
        if (p == null) {
            return reject("checkpoint", "checkpoint policy is missing");
        }
        if (p.getIntervalSteps() < 1) {
            return reject("checkpoint.intervalSteps", "intervalSteps must be >= 1, not " + p.getIntervalSteps());
        }
        if (p.getKeepLast() < 1) {
            return reject("checkpoint.keepLast", "keepLast must be >= 1, not " + p.getKeepLast());
        }
        if (p.getKeepEvery() < 0) {
            return reject("checkpoint.keepEvery", "keepEvery must be >= 0, not " + p.getKeepEvery());
        }
        return Optional.empty();
    }

    static Optional<Rejection> validate(ChaosSettings s) {
        if (!positive(s.getMtbfSeconds())) {
            return reject("chaos.mtbfSeconds", "mtbfSeconds must be > 0, not " + s.getMtbfSeconds());
        }
        Map<String, Double> mix = s.getMix();
        if (mix == null || mix.isEmpty()) {
            return reject("chaos.mix", "mix must weight at least one of " + INJECTABLE);
        }
        double total = 0;
        for (Map.Entry<String, Double> e : mix.entrySet()) {
            FailureType type;
            try {
                type = FailureType.valueOf(e.getKey());
            } catch (IllegalArgumentException ex) {
                type = null;
            }
            if (type == null || !INJECTABLE.contains(type)) {
                return reject("chaos.mix", "'" + e.getKey() + "' is not an injectable fault " + INJECTABLE);
            }
            if (e.getValue() == null || !nonNegative(e.getValue())) {
                return reject("chaos.mix", "weight of " + e.getKey() + " must be >= 0, not " + e.getValue());
            }
            total += e.getValue();
        }
        if (!(total > 0)) {
            return reject("chaos.mix", "the weights of the mix sum to 0");
        }
        if (!(s.getStragglerFactor() >= 1 && Double.isFinite(s.getStragglerFactor()))) {
            return reject("chaos.stragglerFactor", "stragglerFactor must be >= 1, not " + s.getStragglerFactor());
        }
        if (!positive(s.getStragglerSeconds())) {
            return reject("chaos.stragglerSeconds", "stragglerSeconds must be > 0, not " + s.getStragglerSeconds());
        }
        if (s.getMaxFaults() != null && s.getMaxFaults() < 0) {
            return reject("chaos.maxFaults", "maxFaults must be >= 0 or null, not " + s.getMaxFaults());
        }
        return Optional.empty();
    }

    private static boolean positive(double v) {
        return v > 0 && Double.isFinite(v);
    }

    private static boolean nonNegative(double v) {
        return v >= 0 && Double.isFinite(v);
    }

    private static Optional<Rejection> reject(String field, String reason) {
        return Optional.of(Rejection.of(field, reason));
    }
}
