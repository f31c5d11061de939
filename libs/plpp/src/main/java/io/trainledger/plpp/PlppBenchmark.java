package io.trainledger.plpp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The runnable benchmark: base-to-new (Base / New / HM, mean and std over seeds) for zero-shot,
 * CoOp, KgCoOp, PLPP and PLPP on KgCoOp, the PLPP ablations, few-shot accuracy and per-step times.
 * Prints Markdown tables; {@code main} only parses arguments.
 *
 * <pre>
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -cp ... io.trainledger.plpp.PlppBenchmark \
 *   --data-dir target/plpp-data --seeds 1,2,3 --steps 800 --tables main,ablation,fewshot --out result.md
 * </pre>
 * {@code --only REGEX} runs only the rows whose label matches (e.g. to split a table across processes or to
 * skip rows measured elsewhere); {@code --nearest-every N} logs the context's nearest words every N steps.
 */
public final class PlppBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(PlppBenchmark.class);

    /** One row: a label, a config transformer, the per-seed results and step times. */
    public record Row(String label, List<EvaluationResult> results, double msPerStep) {
        double mean(java.util.function.ToDoubleFunction<EvaluationResult> f) {
            return results.stream().mapToDouble(f).average().orElse(Double.NaN);
        }

        double std(java.util.function.ToDoubleFunction<EvaluationResult> f) {
            double m = mean(f);
            int n = results.size();
            if (n < 2) {
                return 0;
            }
            return Math.sqrt(results.stream().mapToDouble(r -> Math.pow(f.applyAsDouble(r) - m, 2)).sum() / (n - 1));
        }
    }

    private final PlppEnvironment env;
    private final PlppConfig base;
    private final long[] seeds;
    private final Map<String, TaskData> tasks = new HashMap<>();
    private final Pattern only;

    public PlppBenchmark(PlppEnvironment env, PlppConfig base, long[] seeds) {
        this(env, base, seeds, null);
    }

    /** {@code only}: run only the rows whose label matches (null: all), e.g. to split a table across processes. */
    public PlppBenchmark(PlppEnvironment env, PlppConfig base, long[] seeds, Pattern only) {
        this.env = env;
        this.base = base;
        this.seeds = seeds;
        this.only = only;
    }

    /** Trains (unless zero-shot) and evaluates one config per seed; null if the row is filtered out. */
    public Row run(String label, UnaryOperator<PlppConfig.Builder> change) {
        if (only != null && !only.matcher(label).matches()) {
            LOG.info("row '{}' skipped (--only)", label);
            return null;
        }
        List<EvaluationResult> results = new ArrayList<>();
        long nanos = 0;
        long steps = 0;
        for (long seed : seeds) {
            PlppConfig c = change.apply(base.toBuilder().seed(seed)).build();
            TaskData task = tasks.computeIfAbsent(c.dataset() + "|" + c.protocol() + "|" + c.shots() + "|" + seed + "|"
                    + c.testPerClass(), k -> env.task(c));
            try (PlppTrainer t = env.trainer(task, c)) {
                while (!t.done()) {
                    StepResult r = t.step();
                    if (!r.finite()) {
                        LOG.warn("{} seed {}: non-finite loss at step {}", label, seed, r.step());
                    }
                    if (r.step() >= 10) { // skip the first steps (native warm-up)
                        nanos += r.stepNanos();
                        steps++;
                    }
                }
                EvaluationResult e = t.evaluate();
                LOG.info("{} seed {}: {} nearest words {}", label, seed, e.accuracy(), t.nearestWords(2));
                results.add(e);
            }
        }
        return new Row(label, results, steps == 0 ? Double.NaN : nanos / 1e6 / steps);
    }

    public static String baseToNewTable(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| method | Base | New | HM | ms/step |\n|---|---|---|---|---|\n");
        for (Row r : rows) {
            if (r == null) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, "| %s | %.1f ± %.1f | %.1f ± %.1f | %.1f ± %.1f | %s |%n", r.label(),
                    100 * r.mean(EvaluationResult::base), 100 * r.std(EvaluationResult::base),
                    100 * r.mean(EvaluationResult::novel), 100 * r.std(EvaluationResult::novel),
                    100 * r.mean(EvaluationResult::harmonicMean), 100 * r.std(EvaluationResult::harmonicMean),
                    Double.isNaN(r.msPerStep()) ? "-" : String.format(Locale.ROOT, "%.2f", r.msPerStep())));
        }
        return sb.toString();
    }

    public static String allClassesTable(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| method | accuracy (all classes) | ms/step |\n|---|---|---|\n");
        for (Row r : rows) {
            if (r == null) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, "| %s | %.1f ± %.1f | %s |%n", r.label(),
                    100 * r.mean(EvaluationResult::all), 100 * r.std(EvaluationResult::all),
                    Double.isNaN(r.msPerStep()) ? "-" : String.format(Locale.ROOT, "%.2f", r.msPerStep())));
        }
        return sb.toString();
    }

    public String mainTable() {
        List<Row> rows = new ArrayList<>();
        rows.add(run("Zero-shot (\"a photo of a {class} .\")", b -> b.method(PromptMethod.ZERO_SHOT)));
        rows.add(run("CoOp", b -> b.method(PromptMethod.COOP)));
        rows.add(run("KgCoOp", b -> b.method(PromptMethod.KGCOOP)));
        rows.add(run("PLPP", b -> b.method(PromptMethod.PLPP)));
        rows.add(run("PLPP + KgCoOp", b -> b.method(PromptMethod.PLPP_KGCOOP)));
        return baseToNewTable(rows);
    }

    public String ablationTable() {
        List<Row> rows = new ArrayList<>();
        PlppConfig d = base;
        String def = String.format(Locale.ROOT, "k=%d tau_q=%s lambda_ppl=%s lambda_ippl=%s %s", d.topK(), d.tauQ(),
                d.lambdaPpl(), d.lambdaIppl(), d.alignment());
        rows.add(run("CoOp (reference)", b -> b.method(PromptMethod.COOP)));
        rows.add(run("PLPP default (" + def + ")", b -> b.method(PromptMethod.PLPP)));
        for (int k : new int[] {1, 5, 20}) {
            if (k != d.topK()) {
                rows.add(run("k = " + k, b -> b.method(PromptMethod.PLPP).topK(k)));
            }
        }
        for (double tau : new double[] {0.05, 0.1, 0.5}) {
            if (tau != d.tauQ()) {
                rows.add(run("tau_q = " + tau, b -> b.method(PromptMethod.PLPP).tauQ(tau)));
            }
        }
        for (double l : new double[] {0.1, 0.5, 1, 5}) {
            if (l != d.lambdaPpl()) {
                rows.add(run("lambda_ppl = " + l, b -> b.method(PromptMethod.PLPP).lambdaPpl(l)));
            }
        }
        for (double l : new double[] {0.1, 1, 5}) {
            if (l != d.lambdaIppl()) {
                rows.add(run("lambda_ippl = " + l, b -> b.method(PromptMethod.PLPP).lambdaIppl(l)));
            }
        }
        rows.add(run("inverted perplexity off (lambda_ippl = 0)", b -> b.method(PromptMethod.PLPP).lambdaIppl(0)));
        rows.add(run("perplexity only off (lambda_ppl = 0, ippl on)", b -> b.method(PromptMethod.PLPP).lambdaPpl(0)));
        PerplexityAlignment other = d.alignment() == PerplexityAlignment.NEXT_TOKEN
                ? PerplexityAlignment.SAME_POSITION : PerplexityAlignment.NEXT_TOKEN;
        rows.add(run("alignment " + other, b -> b.method(PromptMethod.PLPP).alignment(other)));
        rows.add(run("alignment " + other + ", ippl off", b -> b.method(PromptMethod.PLPP).alignment(other).lambdaIppl(0)));
        for (PerplexityAlignment al : PerplexityAlignment.values()) {
            rows.add(run("lambda_ppl = 0.1, ippl off, " + al, b -> b.method(PromptMethod.PLPP).alignment(al).lambdaPpl(0.1).lambdaIppl(0)));
        }
        return baseToNewTable(rows);
    }

    /** Few-shot accuracy on all 64 classes, 50 epochs per shot count (as the base-to-new runs). */
    public String fewShotTable() {
        return fewShotTable(50);
    }

    /** Few-shot accuracy on all 64 classes with {@code epochs} epochs per shot count (at least 50 steps). */
    public String fewShotTable(int epochs) {
        StringBuilder sb = new StringBuilder();
        for (int shots : new int[] {1, 2, 4, 8, 16}) {
            List<Row> rows = new ArrayList<>();
            // Same number of epochs for every shot count (epochs x 64 classes x shots / batch 32 steps).
            long steps = Math.max(50, (long) epochs * Math.max(1, 64 * shots / 32));
            UnaryOperator<PlppConfig.Builder> fs = b -> b.protocol(Protocol.ALL_CLASSES).shots(shots).steps(steps)
                    .warmupSteps(Math.max(1, steps / 50));
            rows.add(run("Zero-shot", b -> fs.apply(b).method(PromptMethod.ZERO_SHOT)));
            rows.add(run("CoOp", b -> fs.apply(b).method(PromptMethod.COOP)));
            rows.add(run("PLPP", b -> fs.apply(b).method(PromptMethod.PLPP)));
            sb.append("\n**").append(shots).append(" shot(s)**, ").append(steps).append(" steps\n\n").append(allClassesTable(rows));
        }
        return sb.toString();
    }

    static final List<String> OPTIONS = List.of("data-dir", "seeds", "dataset", "steps", "warmup", "k", "tau", "lambda-ppl",
            "lambda-ippl", "alignment", "lr", "kg", "device", "tables", "out", "only", "nearest-every",
            "fewshot-epochs");
    static final String USAGE = "usage: PlppBenchmark [--data-dir DIR] [--seeds 1,2,3] [--dataset hue-shift] [--steps 800]"
            + " [--warmup 16] [--k 5] [--tau 0.1] [--lambda-ppl 1] [--lambda-ippl 1] [--alignment NEXT_TOKEN|SAME_POSITION]"
            + " [--lr 0.002] [--kg 8] [--device auto|cpu|gpu] [--tables main,ablation,fewshot] [--out FILE]"
            + " [--only ROW_LABEL_REGEX] [--nearest-every STEPS] [--fewshot-epochs 50]";

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String key = args[i].replaceFirst("^--", "");
            if (!args[i].startsWith("--") || !OPTIONS.contains(key) || i + 1 >= args.length) {
                System.err.println("bad argument '" + args[i] + "'\n" + USAGE);
                System.exit(2);
            }
            a.put(key, args[i + 1]);
        }
        Path dataDir = Path.of(a.getOrDefault("data-dir", "target/plpp-data"));
        long[] seeds = java.util.Arrays.stream(a.getOrDefault("seeds", "1,2,3").split(",")).mapToLong(Long::parseLong).toArray();
        PlppConfig.Builder b = PlppConfig.builder()
                .dataset(a.getOrDefault("dataset", "hue-shift"))
                .steps(Long.parseLong(a.getOrDefault("steps", "800")))
                .warmupSteps(Long.parseLong(a.getOrDefault("warmup", "16")))
                .topK(Integer.parseInt(a.getOrDefault("k", "5")))
                .tauQ(Double.parseDouble(a.getOrDefault("tau", "0.1")))
                .lambdaPpl(Double.parseDouble(a.getOrDefault("lambda-ppl", "1")))
                .lambdaIppl(Double.parseDouble(a.getOrDefault("lambda-ippl", "1")))
                .alignment(PerplexityAlignment.valueOf(a.getOrDefault("alignment", "NEXT_TOKEN")))
                .learningRate(Double.parseDouble(a.getOrDefault("lr", "0.002")))
                .kgcoopWeight(Double.parseDouble(a.getOrDefault("kg", "8")))
                .nearestWordsEvery(Integer.parseInt(a.getOrDefault("nearest-every", "0")))
                .device(a.getOrDefault("device", "auto"));
        PlppConfig base = b.build();
        String[] tables = a.getOrDefault("tables", "main").split(",");
        StringBuilder out = new StringBuilder();
        long t0 = System.nanoTime();
        try (PlppEnvironment env = PlppEnvironment.open(PlppEnvironment.Options.standard(dataDir, base.device()))) {
            Pattern only = a.containsKey("only") ? Pattern.compile(a.get("only")) : null;
            PlppBenchmark bench = new PlppBenchmark(env, base, seeds, only);
            out.append(String.format(Locale.ROOT, "dataset %s, seeds %s, %d steps, batch %d, M=%d init '%s', lr %s, device %s, libtorch threads %s%n",
                    base.dataset(), a.getOrDefault("seeds", "1,2,3"), base.steps(), base.batchSize(), base.contextLength(),
                    base.contextInit(), base.learningRate(), env.device(), System.getProperty("ai.djl.pytorch.num_threads", "default")));
            for (String t : tables) {
                String table = switch (t.trim()) {
                    case "main" -> bench.mainTable();
                    case "ablation" -> bench.ablationTable();
                    case "fewshot" -> bench.fewShotTable(Integer.parseInt(a.getOrDefault("fewshot-epochs", "50")));
                    default -> throw new IllegalArgumentException("unknown table " + t);
                };
                out.append("\n### ").append(t.trim()).append("\n\n").append(table);
                System.out.println("\n### " + t.trim() + "\n\n" + table);
            }
            bench.tasks.values().forEach(TaskData::close);
        }
        out.append(String.format(Locale.ROOT, "%nwall time %.1f s%n", (System.nanoTime() - t0) / 1e9));
        System.out.println(out);
        if (a.containsKey("out")) {
            Files.writeString(Path.of(a.get("out")), out.toString());
        }
    }
}
