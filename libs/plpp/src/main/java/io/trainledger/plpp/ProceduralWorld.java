package io.trainledger.plpp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark world the project ships: small rendered images of objects with colour, shape,
 * size, texture and background, and captions from 16 templates over a vocabulary of about 300
 * words (most of them distractor words sprinkled into captions). Everything is a pure function of
 * the seed and the draw index, so the world is reproducible bit for bit.
 */
public final class ProceduralWorld {
    public static final String[] COLOURS = {"blue", "cyan", "green", "orange", "pink", "purple", "red", "yellow"};
    public static final String[] SHAPES = {"bar", "circle", "cross", "diamond", "ring", "square", "star", "triangle"};
    public static final String[] SIZES = {"tiny", "small", "medium", "large"};
    public static final String[] TEXTURES = {"plain", "striped", "dotted", "checkered"};
    public static final String[] BACKGROUNDS = {"dark", "grey", "light", "noisy"};

    private static final float[][] RGB = {
        {0.15f, 0.25f, 0.95f}, // blue
        {0.10f, 0.85f, 0.90f}, // cyan
        {0.10f, 0.75f, 0.10f}, // green
        {1.00f, 0.55f, 0.05f}, // orange
        {1.00f, 0.50f, 0.75f}, // pink
        {0.60f, 0.15f, 0.80f}, // purple
        {0.90f, 0.10f, 0.10f}, // red
        {0.95f, 0.90f, 0.10f}, // yellow
    };
    private static final float[] RADII = {3.0f, 4.5f, 6.0f, 7.5f};
    private static final float[] BG_LEVEL = {0.12f, 0.45f, 0.78f, 0.45f};

    /** Caption templates; {c} colour, {s} shape, {z} size, {t} texture, {b} background. */
    static final String[] TEMPLATES = {
        "a photo of a {c} {s} .",
        "a {c} {s} .",
        "a photo of a {s} .",
        "a {z} {c} {s} .",
        "a {t} {c} {s} .",
        "a {c} {s} on a {b} background .",
        "an image of a {z} {s} .",
        "a {t} {s} on a {b} background .",
        "a drawing of a {c} object .",
        "a picture of a {z} {t} {c} {s} on a {b} background .",
        "this is a {s} with {t} texture .",
        "there is a {s} on the {b} background .",
        "a {s} with a {b} background .",
        "a rendering of a {z} {c} {s} .",
        "the {s} is {c} .",
        "a {c} shape .",
    };
    private static final String[] TEMPLATE_WORDS = {
        "a", "an", "the", "photo", "of", "image", "picture", "drawing", "rendering", "with", "on",
        "background", "texture", "object", "shape", "this", "is", "there", "."
    };
    static final int DISTRACTORS = 250;

    /** The hand-written zero-shot prompt (and the CoOp context initialisation "a photo of a"). */
    public static final String HANDCRAFTED_PREFIX = "a photo of a";

    private final int imageSize;
    private final Vocabulary vocabulary;

    public ProceduralWorld(int imageSize) {
        this.imageSize = imageSize;
        List<String> words = new ArrayList<>();
        words.add(Vocabulary.PAD);
        words.add(Vocabulary.SOS);
        words.add(Vocabulary.EOS);
        words.addAll(List.of(TEMPLATE_WORDS));
        for (String[] group : new String[][] {COLOURS, SHAPES, SIZES, TEXTURES, BACKGROUNDS}) {
            words.addAll(List.of(group));
        }
        // Distractor pseudo-words: fixed (independent of the seed) so the vocabulary is stable.
        String cons = "bdfgklmnprstvz";
        String vow = "aeiou";
        SplitMix64 r = new SplitMix64(20241220L);
        while (words.size() < 3 + TEMPLATE_WORDS.length + 28 + DISTRACTORS) {
            StringBuilder sb = new StringBuilder();
            int syll = 2 + r.nextInt(2);
            for (int k = 0; k < syll; k++) {
                sb.append(cons.charAt(r.nextInt(cons.length()))).append(vow.charAt(r.nextInt(vow.length())));
            }
            String w = sb.toString();
            if (!words.contains(w)) {
                words.add(w);
            }
        }
        this.vocabulary = new Vocabulary(words);
    }

    public int imageSize() {
        return imageSize;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** Attribute indices of one object. */
    public record Attributes(int colour, int shape, int size, int texture, int background) {
        public static Attributes random(SplitMix64 r) {
            return new Attributes(r.nextInt(8), r.nextInt(8), r.nextInt(4), r.nextInt(4), r.nextInt(4));
        }

        public int get(int field) {
            return switch (field) {
                case 0 -> colour;
                case 1 -> shape;
                case 2 -> size;
                case 3 -> texture;
                default -> background;
            };
        }
    }

    /** A caption: token ids (without SOS/EOS) and the attribute value it names per field (-1 = not named). */
    public record Caption(int[] tokens, int[] named) {
        /** Whether this caption is true of the given object. */
        public boolean consistentWith(Attributes a) {
            for (int f = 0; f < 5; f++) {
                if (named[f] >= 0 && named[f] != a.get(f)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A caption of the object from a random template with 0-3 distractor words inserted. */
    public Caption caption(Attributes a, SplitMix64 r) {
        return caption(a, r, false, 0.0);
    }

    /**
     * A caption with 0-3 distractor words inserted: with probability {@code handcraftedFraction}
     * the hand-written template "a photo of a {colour} {shape} .", otherwise a template drawn
     * uniformly from all 16; when {@code shapeOnly}, always "a photo of a {shape} .".
     */
    public Caption caption(Attributes a, SplitMix64 r, boolean shapeOnly, double handcraftedFraction) {
        double u = r.nextDouble();
        int ti = r.nextInt(TEMPLATES.length);
        String t = shapeOnly ? TEMPLATES[2] : u < handcraftedFraction ? TEMPLATES[0] : TEMPLATES[ti];
        int[] named = {-1, -1, -1, -1, -1};
        String[] keys = {"{c}", "{s}", "{z}", "{t}", "{b}"};
        String[][] vals = {COLOURS, SHAPES, SIZES, TEXTURES, BACKGROUNDS};
        for (int f = 0; f < 5; f++) {
            if (t.contains(keys[f])) {
                named[f] = a.get(f);
                t = t.replace(keys[f], vals[f][a.get(f)]);
            }
        }
        List<Integer> toks = new ArrayList<>();
        for (int id : vocabulary.encode(t)) {
            toks.add(id);
        }
        int nd = r.nextInt(4);
        int firstDistractor = vocabulary.size() - DISTRACTORS;
        for (int k = 0; k < nd; k++) {
            int pos = r.nextInt(toks.size()); // before the final "."
            toks.add(pos, firstDistractor + r.nextInt(DISTRACTORS));
        }
        return new Caption(toks.stream().mapToInt(Integer::intValue).toArray(), named);
    }

    /** Class names of the downstream task, "colour shape", sorted (so base = first half of colours). */
    public List<String> classNames() {
        List<String> names = new ArrayList<>();
        for (String c : COLOURS) {
            for (String s : SHAPES) {
                names.add(c + " " + s);
            }
        }
        names.sort(String::compareTo);
        return names;
    }

    /** Renders one image as CHW floats in [0, 1]; position, pixel noise and noisy backgrounds come from r. */
    public float[] render(Attributes a, SplitMix64 r) {
        int n = imageSize;
        float[] img = new float[3 * n * n];
        float radius = RADII[a.size()] * n / 20f;
        float cx = radius + (float) r.nextDouble() * (n - 2 * radius);
        float cy = radius + (float) r.nextDouble() * (n - 2 * radius);
        float[] col = RGB[a.colour()];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                float u = (x + 0.5f - cx) / radius;
                float v = (y + 0.5f - cy) / radius;
                boolean inside = inside(a.shape(), u, v);
                float bg = a.background() == 3 ? 0.2f + 0.5f * (float) r.nextDouble() : BG_LEVEL[a.background()];
                for (int c = 0; c < 3; c++) {
                    float val;
                    if (inside) {
                        val = col[c] * textureFactor(a.texture(), x, y);
                    } else {
                        val = bg;
                    }
                    val += 0.03f * (float) r.nextGaussian();
                    img[c * n * n + y * n + x] = Math.max(0f, Math.min(1f, val));
                }
            }
        }
        return img;
    }

    private static float textureFactor(int texture, int x, int y) {
        return switch (texture) {
            case 1 -> (y / 2) % 2 == 0 ? 1f : 0.45f;
            case 2 -> (x % 3 == 1 && y % 3 == 1) ? 0.3f : 1f;
            case 3 -> ((x / 2 + y / 2) % 2 == 0) ? 1f : 0.55f;
            default -> 1f;
        };
    }

    private static boolean inside(int shape, float u, float v) {
        float r = (float) Math.sqrt(u * u + v * v);
        return switch (shape) {
            case 0 -> Math.abs(v) < 0.4f && Math.abs(u) < 1f; // bar
            case 1 -> r < 1f; // circle
            case 2 -> Math.min(Math.abs(u), Math.abs(v)) < 0.33f && Math.max(Math.abs(u), Math.abs(v)) < 1f; // cross
            case 3 -> Math.abs(u) + Math.abs(v) < 1f; // diamond
            case 4 -> r < 1f && r > 0.55f; // ring
            case 5 -> Math.max(Math.abs(u), Math.abs(v)) < 0.85f; // square
            case 6 -> r < 0.45f + 0.55f * Math.pow(Math.abs(Math.cos(2.5 * Math.atan2(v, u))), 3); // star
            default -> v < 0.9f && v > -1f && Math.abs(u) < (v + 1f) / 1.9f; // triangle (apex up)
        };
    }

    /**
     * The downstream shift applied to a task's images. A class-name-dependent shift (hue rotation)
     * is what makes prompt learning help on base classes and overfit them (see docs/PLPP.md).
     */
    public enum Shift {
        /** No shift: downstream images look like pretraining images. */
        NONE,
        /** Hue rotated by 35 degrees about the grey axis, on every image. */
        HUE,
        /** Strong pixel noise on base-class images only. */
        BASE_NOISE;

        public static Shift forDataset(String dataset) {
            return switch (dataset.toLowerCase(Locale.ROOT)) {
                case "none", "clean", "world" -> NONE;
                case "hue-shift", "hue" -> HUE;
                case "base-noise" -> BASE_NOISE;
                default -> throw new IllegalArgumentException(
                        "unknown dataset '" + dataset + "' (hue-shift, base-noise, none)");
            };
        }
    }

    /** Applies a shift in place. */
    public void applyShift(float[] img, Shift shift, boolean baseClass, SplitMix64 r) {
        int hw = imageSize * imageSize;
        if (shift == Shift.HUE) {
            double th = Math.toRadians(35);
            double cos = Math.cos(th);
            double sin = Math.sin(th);
            double k = 1 / Math.sqrt(3);
            // Rodrigues rotation about (1,1,1)/sqrt(3).
            double[][] m = new double[3][3];
            double[] ax = {k, k, k};
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    m[i][j] = (i == j ? cos : 0) + (1 - cos) * ax[i] * ax[j];
                }
            }
            m[0][1] -= sin * ax[2]; m[0][2] += sin * ax[1];
            m[1][0] += sin * ax[2]; m[1][2] -= sin * ax[0];
            m[2][0] -= sin * ax[1]; m[2][1] += sin * ax[0];
            for (int p = 0; p < hw; p++) {
                double rr = img[p];
                double gg = img[hw + p];
                double bb = img[2 * hw + p];
                for (int c = 0; c < 3; c++) {
                    double val = m[c][0] * rr + m[c][1] * gg + m[c][2] * bb;
                    img[c * hw + p] = (float) Math.max(0, Math.min(1, val));
                }
            }
        } else if (shift == Shift.BASE_NOISE && baseClass) {
            for (int i = 0; i < img.length; i++) {
                img[i] = (float) Math.max(0, Math.min(1, img[i] + 0.25 * r.nextGaussian()));
            }
        }
    }
}
