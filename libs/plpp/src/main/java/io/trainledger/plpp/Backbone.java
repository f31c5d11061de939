package io.trainledger.plpp;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;

/**
 * A frozen CLIP-shaped backbone as prompt learning sees it: the token embedding E, a causal text
 * encoder that takes already-embedded tokens (so learned context vectors can be spliced in) and
 * returns the hidden states after the final LayerNorm plus the projected EOS feature, and an image
 * encoder. {@link TinyClip} is the built-in implementation; a TorchScript export of OpenAI CLIP can
 * implement the same interface (see docs/PLPP.md).
 */
public interface Backbone extends AutoCloseable {

    /** Hidden states [B, L, D] after the final LayerNorm and projected EOS features [B, F]. */
    record TextOutput(NDArray hidden, NDArray features) {}

    Vocabulary vocabulary();

    /** Token width D. */
    int width();

    /** Joint image-text feature width F. */
    int featureDim();

    /** Maximum token sequence length (including SOS and EOS). */
    int maxLength();

    Device device();

    /** The manager that owns the backbone's parameters. */
    NDManager manager();

    /** The frozen token embedding E, [|V|, D]; also the tied LM head of PLPP. */
    NDArray tokenEmbedding();

    /** Embeds token ids, each row padded to the same length, into [B, L, D]. */
    NDArray embed(int[][] tokens);

    /**
     * Runs the causal text encoder on embedded tokens [B, L, D] (positional embedding is added
     * inside); {@code eosIndex[b]} is the position of EOS in row b.
     */
    TextOutput encodeText(NDArray embeddings, int[] eosIndex);

    /** Image features [B, F] (not normalised) of images [B, 3, H, W] with values in [0, 1]. */
    NDArray encodeImages(NDArray images);

    /** exp(log logit scale), the CLIP temperature used for classification logits. */
    float logitScale();

    /** All parameters by name (frozen during prompt learning). */
    Map<String, NDArray> parameters();

    /** A fingerprint of the weights and configuration, used to refuse restoring onto another backbone. */
    String fingerprint();

    @Override
    void close();
}
