package io.trainledger.plpp;

/** Prompt-learning method; the names match the Avro enum io.trainledger.events.PromptMethod. */
public enum PromptMethod {
    /** Cross-entropy only. */
    COOP,
    /** CoOp plus w (1 - mean_c cos(t_c, t_c_handcrafted)). */
    KGCOOP,
    /** CoOp plus lambda_ppl L_ppl + lambda_ippl L_ippl. */
    PLPP,
    /** Both regularisers. */
    PLPP_KGCOOP,
    /** The hand-written prompt, no training. */
    ZERO_SHOT;

    public boolean usesPerplexity() {
        return this == PLPP || this == PLPP_KGCOOP;
    }

    public boolean usesKnowledgeGuidance() {
        return this == KGCOOP || this == PLPP_KGCOOP;
    }

    public boolean trains() {
        return this != ZERO_SHOT;
    }
}
