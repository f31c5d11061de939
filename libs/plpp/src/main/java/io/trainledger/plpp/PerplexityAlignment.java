package io.trainledger.plpp;

/** Which hidden state the tied LM head decodes for context vector v_i (matches the Avro enum). */
public enum PerplexityAlignment {
    /** h_(i-1): classic next-token perplexity (position 0 is SOS). */
    NEXT_TOKEN,
    /** h_i: the contextual state of v_i itself. */
    SAME_POSITION
}
