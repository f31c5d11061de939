package io.trainledger.bench.plpp;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import io.trainledger.plpp.BackbonePretrainer;
import io.trainledger.plpp.PlppConfig;
import io.trainledger.plpp.PlppTrainer;
import io.trainledger.plpp.ProceduralWorld;
import io.trainledger.plpp.PromptMethod;
import io.trainledger.plpp.StepResult;
import io.trainledger.plpp.TaskData;
import io.trainledger.plpp.TinyClip;
import io.trainledger.plpp.TinyClipConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Step times of prompt learning on the standard TinyClip (random weights: speed does not depend on
 * them): CoOp, KgCoOp, PLPP (top-k 5, whole-vocabulary head), PLPP+KgCoOp, the PLPP/CoOp ratio,
 * and the contrastive pretraining step; the same shapes as bench/plpp/reference.py (PyTorch eager).
 * Methods are interleaved over several repetitions (after one unrecorded warm-up round of all
 * methods, for the JIT) and the median of the repetition means is reported, because the machine is shared; besides wall time, the calling thread's CPU time per
 * step is reported (libtorch runs single-threaded ops on the calling thread with 1 intra-op
 * thread), which is much less sensitive to other load.
 */
public final class PlppStepBench {
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private PlppStepBench() {}

    public static void main(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int steps = Integer.parseInt(a.getOrDefault("steps", "300"));
        int reps = Integer.parseInt(a.getOrDefault("reps", "3"));
        int warm = 20;
        PromptMethod[] methods = {PromptMethod.COOP, PromptMethod.KGCOOP, PromptMethod.PLPP, PromptMethod.PLPP_KGCOOP};
        Map<PromptMethod, List<Double>> ms = new LinkedHashMap<>();
        Map<PromptMethod, List<Double>> cpuMs = new LinkedHashMap<>();
        List<Double> pretrain = new ArrayList<>();
        List<Double> pretrainCpu = new ArrayList<>();
        ProceduralWorld world = new ProceduralWorld(20);
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            TinyClip clip = TinyClip.initialise(TinyClipConfig.standard(), world.vocabulary(), root, Device.cpu(), 1);
            PlppConfig base = PlppConfig.builder().steps(warm + steps).nearestWordsEvery(0).testPerClass(1).build();
            try (TaskData task = TaskData.build(world, clip, base.dataset(), base.protocol(), base.shots(), 1, 1)) {
                // Round -1 is not recorded: it runs every method once so that the JIT has compiled each
                // method's Java side (e.g. PLPP's top-k teachers) before any method is measured.
                for (int rep = -1; rep < reps; rep++) {
                    for (PromptMethod m : methods) {
                        try (PlppTrainer t = PlppTrainer.create(clip, task, base.toBuilder().method(m).build())) {
                            long nanos = 0;
                            long cpu = 0;
                            while (!t.done()) {
                                long c0 = THREADS.getCurrentThreadCpuTime();
                                StepResult r = t.step();
                                if (r.step() >= warm) {
                                    nanos += r.stepNanos();
                                    cpu += THREADS.getCurrentThreadCpuTime() - c0;
                                }
                            }
                            if (rep >= 0) {
                                ms.computeIfAbsent(m, k -> new ArrayList<>()).add(nanos / 1e6 / steps);
                                cpuMs.computeIfAbsent(m, k -> new ArrayList<>()).add(cpu / 1e6 / steps);
                            }
                        }
                    }
                    if (rep < 0) {
                        continue;
                    }
                    long c0 = THREADS.getCurrentThreadCpuTime();
                    int ps = Math.max(10, steps / 10);
                    pretrain.add(BackbonePretrainer.timeSteps(world, TinyClipConfig.standard(), 128, ps, root, Device.cpu()));
                    pretrainCpu.add((THREADS.getCurrentThreadCpuTime() - c0) / 1e6 / (ps + 3));
                }
            }
            clip.close();
        }
        StringBuilder sb = new StringBuilder("{\"engine\":\"DJL 0.36.0 / libtorch 2.7.1\",\"threads\":\"")
                .append(System.getProperty("ai.djl.pytorch.num_threads", "default")).append('"');
        for (PromptMethod m : methods) {
            sb.append(String.format(Locale.ROOT, ",\"%s_ms\":%.3f", m.name().toLowerCase(Locale.ROOT), median(ms.get(m))));
        }
        for (PromptMethod m : methods) {
            sb.append(String.format(Locale.ROOT, ",\"%s_cpu_ms\":%.3f", m.name().toLowerCase(Locale.ROOT), median(cpuMs.get(m))));
        }
        sb.append(String.format(Locale.ROOT, ",\"plpp_over_coop\":%.3f,\"plpp_over_coop_cpu\":%.3f,\"pretrain_ms\":%.2f,"
                        + "\"pretrain_cpu_ms\":%.2f,\"reps\":%d,\"steps\":%d}",
                median(ms.get(PromptMethod.PLPP)) / median(ms.get(PromptMethod.COOP)),
                median(cpuMs.get(PromptMethod.PLPP)) / median(cpuMs.get(PromptMethod.COOP)), median(pretrain),
                median(pretrainCpu), reps, steps));
        System.out.println(sb);
        ms.forEach((m, v) -> System.out.println(m + " ms/step per repetition " + v));
        System.out.println("pretrain ms/step per repetition " + pretrain);
    }

    static double median(List<Double> v) {
        double[] x = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return x.length % 2 == 1 ? x[x.length / 2] : (x[x.length / 2 - 1] + x[x.length / 2]) / 2;
    }

    static String fmt(double[] v) {
        return Arrays.toString(v);
    }
}
