package io.trainledger.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * The run {@code demo} submits: a prompt-learning run on the built-in benchmark (the procedural world's
 * {@code hue-shift} task, 16 shots, CoOp's defaults: 4 context vectors from "a photo of a", SGD 0.002), checkpointed
 * every {@code intervalSteps} steps, with fault injection that gives a few minutes' run on two cores several faults
 * of each type (exponential inter-arrival, equal mix of CRASH, HANG, NAN_LOSS and STRAGGLER, seeded, capped).
 *
 * @param method      COOP, KGCOOP or PLPP
 * @param steps       optimizer steps
 * @param seed        seed of the data, initialisation and fault process
 * @param chaos       whether to inject faults
 * @param mtbfSeconds mean seconds of training between faults
 * @param maxFaults   cap on injected faults
 * @param intervalSteps checkpoint interval at submission (the checkpointer adapts it)
 */
public record DemoRun(String method, long steps, long seed, boolean chaos, double mtbfSeconds, int maxFaults,
                      int intervalSteps) {

    public DemoRun {
        method = method.toUpperCase(Locale.ROOT);
        if (!(method.equals("COOP") || method.equals("KGCOOP") || method.equals("PLPP"))) {
            throw new IllegalArgumentException("method must be coop, kgcoop or plpp, got " + method.toLowerCase(Locale.ROOT));
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        if (!(mtbfSeconds > 0) || !Double.isFinite(mtbfSeconds)) {
            throw new IllegalArgumentException("MTBF must be a positive number of seconds, got " + mtbfSeconds);
        }
        if (maxFaults < 0) {
            throw new IllegalArgumentException("max faults must be >= 0, got " + maxFaults);
        }
        if (intervalSteps < 1) {
            throw new IllegalArgumentException("checkpoint interval must be >= 1 step, got " + intervalSteps);
        }
    }

    /** The submission body (RunConfig fields plus runId), as {@code POST /api/runs} takes it. */
    public ObjectNode submission(String runId) {
        ObjectNode c = ServiceClient.JSON.createObjectNode();
        c.put("runId", runId);
        c.put("method", method);
        c.put("dataset", "hue-shift");
        c.put("shots", 16);
        c.put("seed", seed);
        c.put("steps", steps);
        c.put("batchSize", 32);
        c.put("contextLength", 4);
        c.put("contextInit", "a photo of a");
        c.put("learningRate", 0.002);
        c.put("device", "cpu");
        ObjectNode checkpoint = c.putObject("checkpoint");
        checkpoint.put("intervalSteps", intervalSteps);
        checkpoint.put("adaptive", true);
        checkpoint.put("keepLast", 3);
        if (chaos) {
            ObjectNode ch = c.putObject("chaos");
            ch.put("mtbfSeconds", mtbfSeconds);
            ObjectNode mix = ch.putObject("mix");
            for (String type : new String[] {"CRASH", "HANG", "NAN_LOSS", "STRAGGLER"}) {
                mix.put(type, 1.0);
            }
            ch.put("seed", seed);
            ch.put("stragglerFactor", 3.0);
            ch.put("stragglerSeconds", 8.0);
            ch.put("maxFaults", maxFaults);
        }
        c.putObject("labels").put("origin", "trainledger demo");
        return c;
    }
}
