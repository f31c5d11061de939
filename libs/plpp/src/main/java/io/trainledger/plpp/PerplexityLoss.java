package io.trainledger.plpp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;


/**
 * The PLPP regularisers of docs/PLPP.md (DESIGN section 5), on R context vectors v (rows) and
 * the hidden states h_a(i) aligned with them:
 * <ul>
 *   <li>s_i = cos(v_i, E_j) for every word j (teacher side);</li>
 *   <li>z_i = h_a(i) E^T over the whole vocabulary, p_i = softmax(z_i) (the untrained LM head tied to E);</li>
 *   <li>L_ppl = (1/R) sum_i sum_(j in K_i) -q_ij log p_ij with K_i = top-k(s_i), q_i = softmax(s_i[K_i]/tau_q), detached;</li>
 *   <li>L_ippl = (1/R) sum_i sum_(j in K'_i) -p^_ij log q~_ij with K'_i = top-k(p_i), p^_i = p_i on K'_i renormalised
 *       and detached, q~_i = softmax(s_i / tau_q) over the whole vocabulary.</li>
 * </ul>
 * The detached teachers are computed in plain Java (they need a top-k and no gradient).
 */
public final class PerplexityLoss {
    private PerplexityLoss() {}

    /** The two terms (either may be null when not requested). */
    public record Terms(NDArray ppl, NDArray ippl) {}

    /** Cosine similarity [R, V] between rows of v [R, D] and rows of e [V, D]. */
    public static NDArray cosine(NDArray v, NDArray e) {
        return v.normalize(2, -1, 1e-12).matMul(e.normalize(2, -1, 1e-12).transpose());
    }

    /**
     * Computes L_ppl and/or L_ippl.
     *
     * @param context context vectors v, [R, D] (carry the gradient)
     * @param aligned hidden states h_a(i) after the final LayerNorm, [R, D]
     * @param embedding the frozen token embedding E, [V, D]
     */
    public static Terms compute(NDArray context, NDArray aligned, NDArray embedding, int k, double tauQ,
                                boolean wantPpl, boolean wantIppl) {
        NDArray s = cosine(context, embedding);
        NDArray z = aligned.matMul(embedding.transpose());
        return terms(s, z, tauQ, teachers(s, z, k, tauQ, wantPpl, wantIppl));
    }

    /** The detached teachers, dense [R, V]: q (null unless wanted) and p^ (null unless wanted). */
    public record Teachers(float[] q, float[] pHat) {}

    /** Teachers at the given context and hidden states (for gradient checks that hold them fixed). */
    static Teachers teachers(NDArray context, NDArray aligned, NDArray embedding, int k, double tauQ) {
        return teachers(cosine(context, embedding), aligned.matMul(embedding.transpose()), k, tauQ, true, true);
    }

    /** Both terms with given (fixed) teachers. */
    static Terms withTeachers(NDArray context, NDArray aligned, NDArray embedding, double tauQ, Teachers t) {
        return terms(cosine(context, embedding), aligned.matMul(embedding.transpose()), tauQ, t);
    }

    private static Teachers teachers(NDArray s, NDArray z, int k, double tauQ, boolean wantPpl, boolean wantIppl) {
        int rows = (int) s.getShape().get(0);
        int vocab = (int) s.getShape().get(1);
        int kk = Math.min(k, vocab);
        float[] q = wantPpl
                ? topKSoftLabels(s.toType(DataType.FLOAT32, false).toFloatArray(), rows, vocab, kk, tauQ) : null;
        float[] phat = wantIppl
                ? topKRenormalised(z.softmax(-1).toType(DataType.FLOAT32, false).toFloatArray(), rows, vocab, kk) : null;
        return new Teachers(q, phat);
    }

    private static Terms terms(NDArray s, NDArray z, double tauQ, Teachers t) {
        int rows = (int) s.getShape().get(0);
        int vocab = (int) s.getShape().get(1);
        NDManager m = s.getManager();
        NDArray ppl = null;
        NDArray ippl = null;
        if (t.q() != null) {
            NDArray qa = TinyClip.owned(m.create(t.q(), new Shape(rows, vocab))).toType(z.getDataType(), false);
            ppl = TinyClip.div(qa.mul(z.logSoftmax(-1)).sum().neg(), rows);
        }
        if (t.pHat() != null) {
            NDArray pa = TinyClip.owned(m.create(t.pHat(), new Shape(rows, vocab))).toType(s.getDataType(), false);
            ippl = TinyClip.div(pa.mul(TinyClip.div(s, (float) tauQ).logSoftmax(-1)).sum().neg(), rows);
        }
        return new Terms(ppl, ippl);
    }

    /**
     * Indices of the k largest values of row r, largest first (ties broken by the lower index, NaN
     * ranked below every number). A selection over primitives, O(k x cols): it runs on every PLPP
     * step with k << cols, where a boxed sort of the whole row cost measurable time per step.
     */
    static int[] topK(float[] x, int row, int cols, int k) {
        int off = row * cols;
        boolean[] taken = new boolean[cols];
        int[] top = new int[k];
        for (int t = 0; t < k; t++) {
            int best = -1;
            for (int j = 0; j < cols; j++) {
                // Same order as sorting by -x ascending with Double.compare, then by index.
                if (!taken[j] && (best < 0 || Double.compare(-x[off + j], -x[off + best]) < 0)) {
                    best = j;
                }
            }
            taken[best] = true;
            top[t] = best;
        }
        return top;
    }

    /** Dense [R, V] teacher q: softmax(s[K]/tau) on the top-k of each row, zero elsewhere. */
    public static float[] topKSoftLabels(float[] s, int rows, int vocab, int k, double tau) {
        float[] q = new float[rows * vocab];
        for (int r = 0; r < rows; r++) {
            int[] top = topK(s, r, vocab, k);
            double max = s[r * vocab + top[0]];
            double[] e = new double[k];
            double sum = 0;
            for (int i = 0; i < k; i++) {
                e[i] = Math.exp((s[r * vocab + top[i]] - max) / tau);
                sum += e[i];
            }
            for (int i = 0; i < k; i++) {
                q[r * vocab + top[i]] = (float) (e[i] / sum);
            }
        }
        return q;
    }

    /** Dense [R, V] inverted teacher p^: p on its own top-k, renormalised, zero elsewhere. */
    public static float[] topKRenormalised(float[] p, int rows, int vocab, int k) {
        float[] out = new float[rows * vocab];
        for (int r = 0; r < rows; r++) {
            int[] top = topK(p, r, vocab, k);
            double sum = 0;
            for (int j : top) {
                sum += p[r * vocab + j];
            }
            for (int j : top) {
                out[r * vocab + j] = (float) (p[r * vocab + j] / sum);
            }
        }
        return out;
    }
}
