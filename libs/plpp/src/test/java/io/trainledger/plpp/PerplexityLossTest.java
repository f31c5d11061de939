package io.trainledger.plpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** L_ppl and L_ippl on tiny tensors (M = 2, |V| = 5, D = 3) against plain-double reference values. */
class PerplexityLossTest {
    static NDManager manager;

    // v: context vectors, h: aligned hidden states, e: embedding. Chosen without ties in s or p.
    static final double[][] V = {{0.9, -0.2, 0.4}, {-0.3, 0.8, 0.1}};
    static final double[][] H = {{1.2, 0.3, -0.7}, {-0.4, 1.1, 0.9}};
    static final double[][] E = {
        {1.0, 0.0, 0.2}, {0.1, 0.9, -0.3}, {-0.5, 0.4, 0.8}, {0.7, -0.6, 0.1}, {0.2, 0.3, 0.95}};

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    static NDArray nd(double[][] x, DataType type) {
        double[] flat = new double[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, flat, i * x[0].length, x[0].length);
        }
        return manager.create(flat, new Shape(x.length, x[0].length)).toType(type, false);
    }

    static double cos(double[] a, double[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa) / Math.sqrt(bb);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static int[] argsortDesc(double[] x) {
        return java.util.stream.IntStream.range(0, x.length).boxed()
                .sorted((i, j) -> Double.compare(x[j], x[i])).mapToInt(Integer::intValue).toArray();
    }

    static double[] logSoftmax(double[] x) {
        double max = java.util.Arrays.stream(x).max().orElseThrow();
        double sum = 0;
        for (double v : x) {
            sum += Math.exp(v - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - lse;
        }
        return out;
    }

    /** L_ppl from DESIGN section 5, in plain doubles. */
    static double referencePpl(int k, double tau) {
        double total = 0;
        for (int i = 0; i < V.length; i++) {
            double[] s = new double[E.length];
            double[] z = new double[E.length];
            for (int j = 0; j < E.length; j++) {
                s[j] = cos(V[i], E[j]);
                z[j] = dot(H[i], E[j]);
            }
            int[] top = argsortDesc(s);
            double[] sk = new double[k];
            for (int t = 0; t < k; t++) {
                sk[t] = s[top[t]] / tau;
            }
            double[] logq = logSoftmax(sk);
            double[] logp = logSoftmax(z);
            for (int t = 0; t < k; t++) {
                total += -Math.exp(logq[t]) * logp[top[t]];
            }
        }
        return total / V.length;
    }

    /** L_ippl from DESIGN section 5, in plain doubles. */
    static double referenceIppl(int k, double tau) {
        double total = 0;
        for (int i = 0; i < V.length; i++) {
            double[] s = new double[E.length];
            double[] z = new double[E.length];
            for (int j = 0; j < E.length; j++) {
                s[j] = cos(V[i], E[j]) / tau;
                z[j] = dot(H[i], E[j]);
            }
            double[] logp = logSoftmax(z);
            int[] top = argsortDesc(z);
            double norm = 0;
            for (int t = 0; t < k; t++) {
                norm += Math.exp(logp[top[t]]);
            }
            double[] logqTilde = logSoftmax(s);
            for (int t = 0; t < k; t++) {
                total += -(Math.exp(logp[top[t]]) / norm) * logqTilde[top[t]];
            }
        }
        return total / V.length;
    }

    @Test
    void topKSelectionMatchesAFullSortWithTiesAndNaN() {
        java.util.Random r = new java.util.Random(5);
        int cols = 300;
        float[] x = new float[3 * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(40) / 8f - 2f; // many exact ties
        }
        x[cols + 7] = Float.NaN;
        x[cols + 8] = -0f;
        x[cols + 9] = 0f;
        for (int row = 0; row < 3; row++) {
            for (int k : new int[] {1, 5, 20, cols}) {
                final int off = row * cols;
                Integer[] idx = new Integer[cols];
                for (int j = 0; j < cols; j++) {
                    idx[j] = j;
                }
                java.util.Arrays.sort(idx, java.util.Comparator.<Integer>comparingDouble(j -> -x[off + j])
                        .thenComparingInt(j -> j));
                int[] expected = java.util.Arrays.stream(idx).limit(k).mapToInt(Integer::intValue).toArray();
                assertThat(PerplexityLoss.topK(x, row, cols, k)).as("row %d k %d", row, k).containsExactly(expected);
            }
        }
    }

    @Test
    void valuesMatchPlainDoubleReferenceForSeveralKAndTau() {
        for (int k : new int[] {1, 2, 5}) {
            for (double tau : new double[] {0.1, 0.5, 2.0}) {
                PerplexityLoss.Terms t = PerplexityLoss.compute(nd(V, DataType.FLOAT32), nd(H, DataType.FLOAT32),
                        nd(E, DataType.FLOAT32), k, tau, true, true);
                assertThat((double) t.ppl().getFloat()).as("L_ppl k=%d tau=%s", k, tau)
                        .isCloseTo(referencePpl(k, tau), within(2e-5));
                assertThat((double) t.ippl().getFloat()).as("L_ippl k=%d tau=%s", k, tau)
                        .isCloseTo(referenceIppl(k, tau), within(2e-5));
            }
        }
    }

    @Test
    void hardLabelIsNotANoOp() {
        // k = 1: L_ppl = mean_i -log p_i[nearest word of v_i] over the whole vocabulary, strictly positive.
        PerplexityLoss.Terms t = PerplexityLoss.compute(nd(V, DataType.FLOAT32), nd(H, DataType.FLOAT32),
                nd(E, DataType.FLOAT32), 1, 0.1, true, false);
        double expected = 0;
        for (int i = 0; i < V.length; i++) {
            double[] s = new double[E.length];
            double[] z = new double[E.length];
            for (int j = 0; j < E.length; j++) {
                s[j] = cos(V[i], E[j]);
                z[j] = dot(H[i], E[j]);
            }
            expected += -logSoftmax(z)[argsortDesc(s)[0]];
        }
        expected /= V.length;
        assertThat(expected).isGreaterThan(0.5);
        assertThat((double) t.ppl().getFloat()).isCloseTo(expected, within(2e-5));
    }

    @Test
    void teacherHelpersNormaliseOnTopK() {
        float[] s = {0.1f, 0.9f, 0.5f, -0.2f, 0.7f};
        float[] q = PerplexityLoss.topKSoftLabels(s, 1, 5, 2, 0.5);
        double e1 = Math.exp(0.9 / 0.5);
        double e4 = Math.exp(0.7 / 0.5);
        assertThat((double) q[1]).isCloseTo(e1 / (e1 + e4), within(1e-6));
        assertThat((double) q[4]).isCloseTo(e4 / (e1 + e4), within(1e-6));
        assertThat(q[0] + q[2] + q[3]).isZero();
        float[] p = {0.1f, 0.4f, 0.3f, 0.15f, 0.05f};
        float[] ph = PerplexityLoss.topKRenormalised(p, 1, 5, 3);
        assertThat((double) ph[1]).isCloseTo(0.4 / 0.85, within(1e-6));
        assertThat((double) ph[2]).isCloseTo(0.3 / 0.85, within(1e-6));
        assertThat((double) ph[3]).isCloseTo(0.15 / 0.85, within(1e-6));
        assertThat(ph[0] + ph[4]).isZero();
    }

    /**
     * Finite differences of both terms w.r.t. the context vectors, in float64, where the aligned
     * hidden states also depend on the context (h_i = tanh(W v_(i-1) + b), a next-token-like
     * dependence), so both gradient paths (through s and through z) are exercised.
     */
    @Test
    void gradientsMatchCentralFiniteDifferences() {
        double[][] w = {{0.5, -0.3, 0.8}, {0.2, 0.9, -0.4}, {-0.7, 0.1, 0.6}};
        for (boolean ppl : new boolean[] {true, false}) {
            NDArray v = nd(V, DataType.FLOAT64);
            v.setRequiresGradient(true);
            NDArray e = nd(E, DataType.FLOAT64);
            NDArray wm = nd(w, DataType.FLOAT64);
            // The teachers are detached by definition: hold them at their value at v while differencing.
            PerplexityLoss.Teachers teachers = PerplexityLoss.teachers(v, hidden(v, wm), e, 2, 0.3);
            double[] analytic;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = loss(v, wm, e, ppl, teachers);
                gc.backward(loss);
                analytic = v.getGradient().toDoubleArray();
            }
            double[] base = v.toDoubleArray();
            double eps = 1e-6;
            for (int i = 0; i < base.length; i++) {
                double[] plus = base.clone();
                plus[i] += eps;
                double[] minus = base.clone();
                minus[i] -= eps;
                double fp = loss(manager.create(plus, new Shape(2, 3)), wm, e, ppl, teachers).getDouble();
                double fm = loss(manager.create(minus, new Shape(2, 3)), wm, e, ppl, teachers).getDouble();
                double numeric = (fp - fm) / (2 * eps);
                assertThat(analytic[i]).as("%s d/dv[%d]", ppl ? "L_ppl" : "L_ippl", i)
                        .isCloseTo(numeric, within(1e-6 + 1e-5 * Math.abs(numeric)));
            }
            assertThat(java.util.Arrays.stream(analytic).map(Math::abs).max().orElseThrow()).isGreaterThan(1e-3);
        }
    }

    private static NDArray hidden(NDArray v, NDArray w) {
        // h_0 = tanh(W v_1) stands in for the SOS state; h_1 = tanh(W v_0): row i sees another vector.
        NDArray shifted = v.get("1:2").concat(v.get("0:1"), 0);
        return shifted.matMul(w.transpose()).tanh().mul(3.0);
    }

    private static NDArray loss(NDArray v, NDArray w, NDArray e, boolean ppl, PerplexityLoss.Teachers teachers) {
        PerplexityLoss.Terms t = PerplexityLoss.withTeachers(v, hidden(v, w), e, 0.3, teachers);
        return ppl ? t.ppl() : t.ippl();
    }
}
