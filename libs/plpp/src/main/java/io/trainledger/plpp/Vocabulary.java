package io.trainledger.plpp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Word-level vocabulary of the benchmark world: special tokens, template words, attributes, distractors. */
public final class Vocabulary {
    public static final String PAD = "<pad>";
    public static final String SOS = "<sos>";
    public static final String EOS = "<eos>";

    private final List<String> words;
    private final Map<String, Integer> ids = new HashMap<>();

    public Vocabulary(List<String> words) {
        this.words = Collections.unmodifiableList(new ArrayList<>(words));
        for (int i = 0; i < words.size(); i++) {
            if (ids.put(words.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate word " + words.get(i));
            }
        }
    }

    public int size() {
        return words.size();
    }

    public int id(String word) {
        Integer id = ids.get(word);
        if (id == null) {
            throw new IllegalArgumentException("unknown word '" + word + "'");
        }
        return id;
    }

    public boolean contains(String word) {
        return ids.containsKey(word);
    }

    public String word(int id) {
        return words.get(id);
    }

    public List<String> words() {
        return words;
    }

    /** Token ids of a whitespace-separated phrase (no SOS/EOS). */
    public int[] encode(String phrase) {
        String[] parts = phrase.trim().split("\\s+");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = id(parts[i]);
        }
        return out;
    }
}
