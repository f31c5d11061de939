package io.trainledger.plpp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * One downstream task on the procedural world: the class names, the few-shot training set and the
 * test splits, with image features precomputed by the frozen image encoder (normalised). The test
 * images are fixed by the world seed; the training shots are drawn from the run seed.
 */
public final class TaskData implements AutoCloseable {
    /** A test split: the classes it is classified among, features [N, F] and labels (indices into classes). */
    public record Split(String name, int[] classes, NDArray features, int[] labels) {}

    private final List<String> classNames;
    private final int[] trainClasses;
    private final NDArray trainFeatures;
    private final int[] trainLabels;
    private final List<Split> splits;
    private final NDManager manager;
    private final String key;

    private TaskData(List<String> classNames, int[] trainClasses, NDArray trainFeatures, int[] trainLabels,
                     List<Split> splits, NDManager manager, String key) {
        this.classNames = classNames;
        this.trainClasses = trainClasses;
        this.trainFeatures = trainFeatures;
        this.trainLabels = trainLabels;
        this.splits = splits;
        this.manager = manager;
        this.key = key;
    }

    /** Seed of the fixed test images (independent of the run seed). */
    public static final long TEST_SEED = 424242L;

    public static TaskData build(ProceduralWorld world, Backbone backbone, String dataset, Protocol protocol,
                                 int shots, long seed, int testPerClass) {
        try (GradMode off = GradMode.off()) {
            return buildWithoutGrad(world, backbone, dataset, protocol, shots, seed, testPerClass);
        }
    }

    private static TaskData buildWithoutGrad(ProceduralWorld world, Backbone backbone, String dataset, Protocol protocol,
                                             int shots, long seed, int testPerClass) {
        ProceduralWorld.Shift shift = ProceduralWorld.Shift.forDataset(dataset);
        List<String> names = world.classNames();
        int c = names.size();
        int half = c / 2;
        int[] all = range(0, c);
        int[] base = range(0, half);
        int[] novel = range(half, c);
        int[] train = protocol == Protocol.BASE_TO_NEW ? base : all;
        NDManager m = backbone.manager().newSubManager();
        // training shots
        List<float[]> imgs = new ArrayList<>();
        int[] labels = new int[train.length * shots];
        for (int i = 0; i < train.length; i++) {
            SplitMix64 r = SplitMix64.of(seed, 50_000L + train[i]);
            for (int s = 0; s < shots; s++) {
                imgs.add(draw(world, names.get(train[i]), train[i] < half, shift, r));
                labels[i * shots + s] = i;
            }
        }
        NDArray trainF = features(world, backbone, m, imgs);
        List<Split> splits = new ArrayList<>();
        if (protocol == Protocol.BASE_TO_NEW) {
            splits.add(testSplit("base", base, world, backbone, m, names, half, shift, testPerClass));
            splits.add(testSplit("new", novel, world, backbone, m, names, half, shift, testPerClass));
        } else {
            splits.add(testSplit("all", all, world, backbone, m, names, half, shift, testPerClass));
        }
        String key = dataset + "|" + protocol + "|" + shots + "|" + seed + "|" + testPerClass;
        return new TaskData(names, train, trainF, labels, splits, m, key);
    }

    private static Split testSplit(String name, int[] classes, ProceduralWorld world, Backbone backbone, NDManager m,
                                   List<String> names, int half, ProceduralWorld.Shift shift, int perClass) {
        List<float[]> imgs = new ArrayList<>();
        int[] labels = new int[classes.length * perClass];
        for (int i = 0; i < classes.length; i++) {
            SplitMix64 r = SplitMix64.of(TEST_SEED, 90_000L + classes[i]);
            for (int s = 0; s < perClass; s++) {
                imgs.add(draw(world, names.get(classes[i]), classes[i] < half, shift, r));
                labels[i * perClass + s] = i;
            }
        }
        return new Split(name, classes, features(world, backbone, m, imgs), labels);
    }

    private static float[] draw(ProceduralWorld world, String className, boolean isBase, ProceduralWorld.Shift shift, SplitMix64 r) {
        String[] cs = className.split(" ");
        int colour = List.of(ProceduralWorld.COLOURS).indexOf(cs[0]);
        int shape = List.of(ProceduralWorld.SHAPES).indexOf(cs[1]);
        ProceduralWorld.Attributes a = new ProceduralWorld.Attributes(colour, shape, r.nextInt(4), r.nextInt(4), r.nextInt(4));
        float[] img = world.render(a, r);
        world.applyShift(img, shift, isBase, r);
        return img;
    }

    private static NDArray features(ProceduralWorld world, Backbone backbone, NDManager m, List<float[]> imgs) {
        int n = world.imageSize();
        int per = 3 * n * n;
        int f = backbone.featureDim();
        float[] out = new float[imgs.size() * f];
        int chunk = 256;
        for (int start = 0; start < imgs.size(); start += chunk) {
            int end = Math.min(imgs.size(), start + chunk);
            float[] buf = new float[(end - start) * per];
            for (int i = start; i < end; i++) {
                System.arraycopy(imgs.get(i), 0, buf, (i - start) * per, per);
            }
            try (NDScope scope = new NDScope()) {
                NDArray x = TinyClip.owned(m.create(buf, new Shape(end - start, 3, n, n)));
                float[] feats = backbone.encodeImages(x).normalize(2, -1, 1e-12).toFloatArray();
                System.arraycopy(feats, 0, out, start * f, feats.length);
            }
        }
        return TinyClip.owned(m.create(out, new Shape(imgs.size(), f)));
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = from; i < to; i++) {
            r[i - from] = i;
        }
        return r;
    }

    public List<String> classNames() {
        return classNames;
    }

    /** Indices (into {@link #classNames()}) of the classes trained on. */
    public int[] trainClasses() {
        return trainClasses.clone();
    }

    public NDArray trainFeatures() {
        return trainFeatures;
    }

    public int[] trainLabels() {
        return trainLabels.clone();
    }

    public int trainSize() {
        return trainLabels.length;
    }

    public List<Split> splits() {
        return splits;
    }

    public String key() {
        return key;
    }

    @Override
    public void close() {
        manager.close();
    }
}
