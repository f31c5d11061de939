package io.trainledger.plpp;

/** Which classes a task trains and tests on. */
public enum Protocol {
    /** Classes sorted; the first half (base) trains and tests, the second half (new) tests only. */
    BASE_TO_NEW,
    /** Few-shot: every class trains and tests. */
    ALL_CLASSES
}
