package io.trainledger.trainer;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One optimizer step at a time in this process. DJL's PyTorch gradient collector is process-wide ("A
 * PtGradientCollector is already collecting. Only one can be collecting at a time"), and every {@code
 * PlppTrainer.step()} opens one; two runs stepping at once on their own threads made all but one attempt fail. A fair
 * lock, so the runs of an instance take turns; with one libtorch thread per step little parallelism is lost.
 */
final class StepLock {
    private static final ReentrantLock LOCK = new ReentrantLock(true);

    private StepLock() {
    }

    static ReentrantLock get() {
        return LOCK;
    }
}
