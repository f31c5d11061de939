package io.trainledger.plpp;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Diagnostic (not a test): trains one config on the standard backbone and, every {@code --every}
 * steps, prints the norm of each weighted loss term's gradient with respect to the context, its
 * cosine with the cross-entropy gradient, and the context's nearest words; then the evaluation.
 * Shows which term drives the context where (docs/PLPP.md, section 5).
 *
 * <pre>
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -cp target/classes:target/test-classes:$(cat /tmp/plpp-cp.txt) \
 *   io.trainledger.plpp.TermGradientProbe --method PLPP --seed 1 --steps 800 --every 100 [--k 5 --tau 0.1
 *   --lambda-ppl 1 --lambda-ippl 1 --alignment NEXT_TOKEN --data-dir target/plpp-data]
 * </pre>
 */
public final class TermGradientProbe {
    private TermGradientProbe() {}

    public static void main(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        PlppConfig config = PlppConfig.builder()
                .method(PromptMethod.valueOf(a.getOrDefault("method", "PLPP")))
                .seed(Long.parseLong(a.getOrDefault("seed", "1")))
                .steps(Long.parseLong(a.getOrDefault("steps", "800")))
                .warmupSteps(Long.parseLong(a.getOrDefault("warmup", "16")))
                .topK(Integer.parseInt(a.getOrDefault("k", "5")))
                .tauQ(Double.parseDouble(a.getOrDefault("tau", "0.1")))
                .lambdaPpl(Double.parseDouble(a.getOrDefault("lambda-ppl", "1")))
                .lambdaIppl(Double.parseDouble(a.getOrDefault("lambda-ippl", "1")))
                .alignment(PerplexityAlignment.valueOf(a.getOrDefault("alignment", "NEXT_TOKEN")))
                .nearestWordsEvery(0)
                .build();
        int every = Integer.parseInt(a.getOrDefault("every", "100"));
        Path dataDir = Path.of(a.getOrDefault("data-dir", "target/plpp-data"));
        try (PlppEnvironment env = PlppEnvironment.open(PlppEnvironment.Options.standard(dataDir, "cpu"));
             TaskData task = env.task(config);
             PlppTrainer t = env.trainer(task, config)) {
            System.out.println("config " + config.canonical());
            StepResult last = null;
            while (true) {
                if (t.stepsDone() % every == 0 || t.done()) {
                    report(t, last);
                }
                if (t.done()) {
                    break;
                }
                last = t.step();
            }
            EvaluationResult e = t.evaluate();
            System.out.printf(Locale.ROOT, "final base %.4f new %.4f HM %.4f%n", e.base(), e.novel(), e.harmonicMean());
        }
    }

    private static void report(PlppTrainer t, StepResult last) {
        Map<String, float[]> g = t.termGradients();
        float[] ce = g.get("ce");
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "step %4d", t.stepsDone()));
        if (last != null) {
            sb.append(String.format(Locale.ROOT, " ce %.3f ppl %.3f ippl %.3f acc %.2f", last.ceLoss(), last.pplLoss(),
                    last.ipplLoss(), last.accuracy()));
        }
        g.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " |g_%s| %.4f", k, norm(v))));
        g.forEach((k, v) -> {
            if (!k.equals("ce")) {
                sb.append(String.format(Locale.ROOT, " cos(g_%s,g_ce) %+.2f", k, dot(v, ce) / (norm(v) * norm(ce) + 1e-30)));
            }
        });
        sb.append(" nearest ").append(t.nearestWords(3));
        System.out.println(sb);
    }

    private static double norm(float[] v) {
        return Math.sqrt(dot(v, v));
    }

    private static double dot(float[] x, float[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (double) x[i] * y[i];
        }
        return s;
    }
}
