package io.trainledger.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.events.FailureDetected;
import io.trainledger.events.FailureType;
import io.trainledger.events.RecoveryCompleted;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The STRAGGLER (fail-slow) rule of the production topology under TopologyTestDriver, as in
 * {@link FailureMonitorTopologyTest}: n consecutive steps above s x the rolling median for at least the minimum duration
 * open a period, healthy steps close it, and a new attempt's warm-up is not judged. Default thresholds: 5 steps and
 * 2 s above 2 x median, warm-up 15 s.
 */
class StragglerTopologyTest {
    private static final Duration STEP = Duration.ofMillis(100);
    private MonitorDriver m;

    @BeforeEach
    void start() throws Exception {
        m = new MonitorDriver(DetectionSettings.defaults());
    }

    @AfterEach
    void stop() {
        m.close();
    }

    @Test
    void consecutiveSlowStepsAreAStragglerClosedWhenStepsAreFastAgain() {
        String run = "straggler-1";
        m.attemptStarted(run, 1, null);
        Instant lastHealthy = m.steps(run, 1, 1, 30, STEP, 1.0);
        m.steps(run, 1, 31, 34, Duration.ofMillis(300), 1.0);
        assertThat(m.verdicts(run)).as("4 slow steps are not yet 5").isEmpty();
        m.steps(run, 1, 35, 40, Duration.ofMillis(300), 1.0);
        assertThat(m.verdicts(run)).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo(FailureType.STRAGGLER);
            assertThat(f.getStep()).as("the last healthy step").isEqualTo(30);
            assertThat(f.getLastProgressTime()).isEqualTo(lastHealthy);
            assertThat(f.getFailedAttempt()).isEqualTo(1);
        });
        assertThat(m.recoveries(run)).isEmpty();

        m.steps(run, 1, 41, 45, STEP, 1.0);
        assertThat(m.recoveries(run)).singleElement().satisfies(r -> {
            assertThat(r.getFailureType()).isEqualTo(FailureType.STRAGGLER);
            assertThat(r.getRestoredStep()).isEqualTo(43);
            assertThat(r.getLostSteps()).isZero();
            assertThat(r.getAttempt()).isEqualTo(1);
        });
        assertThat(m.commands(run)).as("fail-slow needs no restart").isEmpty();

        m.steps(run, 1, 46, 60, Duration.ofMillis(300), 1.0);
        assertThat(m.verdicts(run)).as("a second slow period is a second straggler").hasSize(2);
        assertThat(m.verdicts(run).get(1).getStep()).isEqualTo(45);
    }

    @Test
    void aShortBurstOfSlowShortStepsIsNotAStragglerButASustainedSlowdownIs() {
        String run = "straggler-burst";
        Duration fast = Duration.ofMillis(13);
        Duration slow = Duration.ofMillis(40); // 3 x: a co-located job's burst, or a garbage collection
        m.attemptStarted(run, 1, null);
        m.steps(run, 1, 1, 100, fast, 1.0);
        m.steps(run, 1, 101, 140, slow, 1.0);   // 40 slow steps: 1.6 s, more than 5 steps but under 2 s
        m.steps(run, 1, 141, 160, fast, 1.0);
        assertThat(m.verdicts(run)).as("40 slow steps of 40 ms span 1.6 s < 2 s").isEmpty();

        Instant lastHealthy = m.now;
        m.steps(run, 1, 161, 209, slow, 1.0);   // 49 slow steps: 1.96 s
        assertThat(m.verdicts(run)).isEmpty();
        m.steps(run, 1, 210, 211, slow, 1.0);   // 2.04 s since the last healthy step
        assertThat(m.verdicts(run)).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo(FailureType.STRAGGLER);
            assertThat(f.getStep()).isEqualTo(160);
            assertThat(f.getLastProgressTime()).isEqualTo(lastHealthy);
        });
    }

    /**
     * The demo's false alarm (session 5): a trainer JVM restarted after a CRASH ran its first steps 5 x slower than
     * the run's median (0.153 s against 0.031 s) for over 2 s while it compiled and allocated. Such a warm-up is not
     * fail-slow; the same steps with the warm-up allowance off are a straggler, so the allowance is what decides.
     */
    @Test
    void aRestartedAttemptsSlowFirstStepsAreItsWarmUpNotAStraggler() throws Exception {
        String run = "warm-up";
        for (Duration warmup : List.of(DetectionSettings.defaults().stragglerWarmup(), Duration.ZERO)) {
            try (MonitorDriver d = new MonitorDriver(DetectionSettings.defaults().withStragglerWarmup(warmup))) {
                d.attemptStarted(run, 1, null);
                d.steps(run, 1, 1, 40, STEP, 1.0);
                d.attemptStarted(run, 2, 40L); // a new process (attempt 1 is judged a CRASH: not this test's concern)
                long step = 40;
                for (long ms = 1_000; ms >= 250; ms -= 50) { // cold steps getting faster: 16 steps, 10 s, all > 2 x
                    d.steps(run, 2, step + 1, step + 1, Duration.ofMillis(ms), 1.0);
                    step++;
                }
                d.steps(run, 2, step + 1, step + 40, STEP, 1.0);
                List<FailureDetected> stragglers = d.verdicts(run).stream()
                        .filter(f -> f.getType() == FailureType.STRAGGLER).toList();
                if (warmup.isZero()) {
                    assertThat(stragglers).as("without the allowance the cold steps are a straggler").singleElement()
                            .satisfies(f -> assertThat(f.getStep()).isEqualTo(40));
                } else {
                    assertThat(stragglers).as("warm-up of %s", warmup).isEmpty();
                    assertThat(d.recoveries(run)).extracting(RecoveryCompleted::getFailureType)
                            .containsExactly(FailureType.CRASH);
                }
            }
        }
    }

    @Test
    void anAttemptSlowFromItsStartBeyondTheWarmUpIsAStragglerSinceItsStart() {
        String run = "slow-from-start";
        m.attemptStarted(run, 1, null);
        m.steps(run, 1, 1, 40, STEP, 1.0);
        m.advance(Duration.ofSeconds(1));
        m.attemptStarted(run, 2, 40L);
        Instant started = m.now;
        // 300 ms steps: step 40 + n ends n x 0.3 s after the start; the 15 s allowance runs out at step 90
        m.steps(run, 2, 41, 89, Duration.ofMillis(300), 1.0);
        assertThat(m.verdicts(run)).as("within the warm-up allowance")
                .noneMatch(f -> f.getType() == FailureType.STRAGGLER);
        m.steps(run, 2, 90, 90, Duration.ofMillis(300), 1.0);
        assertThat(Duration.between(started, m.now)).isEqualTo(Duration.ofSeconds(15));
        assertThat(m.verdicts(run)).filteredOn(f -> f.getType() == FailureType.STRAGGLER).singleElement()
                .satisfies(f -> {
                    assertThat(f.getFailedAttempt()).isEqualTo(2);
                    assertThat(f.getStep()).as("slow since the restored step").isEqualTo(40);
                    assertThat(f.getLastProgressTime()).as("since the attempt's start").isEqualTo(started);
                    assertThat(f.getDetectedTime()).isEqualTo(m.now);
                    assertThat(f.getEvidence()).startsWith("50 consecutive steps above 2.0 x median step time 0.100 s");
                });
        m.steps(run, 2, 91, 93, STEP, 1.0);
        assertThat(m.recoveries(run)).filteredOn(r -> r.getFailureType() == FailureType.STRAGGLER).singleElement()
                .satisfies(r -> {
                    assertThat(r.getRestoredStep()).isEqualTo(93);
                    assertThat(r.getRecoveryNanos()).isEqualTo(Duration.between(started, m.now).toNanos());
                });
    }

    @Test
    void aSlowStartCountsTheStepsItSawNotTheStepNumbersItSpans() {
        String run = "slow-start-sparse";
        m.attemptStarted(run, 1, null);
        m.steps(run, 1, 1, 40, STEP, 1.0);
        m.attemptStarted(run, 2, 40L);
        // a trainer that logs every other step: 600 ms apart, each StepCompleted 300 ms (so slow)
        for (long step = 42; step <= 140; step += 2) {
            m.advance(Duration.ofMillis(300));
            m.steps(run, 2, step, step, Duration.ofMillis(300), 1.0);
        }
        // the allowance ran out at step 90 (15 s): 24 steps skipped before it, then it and every later one counted
        assertThat(m.verdicts(run)).filteredOn(f -> f.getType() == FailureType.STRAGGLER).singleElement()
                .satisfies(f -> assertThat(f.getEvidence()).startsWith("25 consecutive steps"));
    }

    @Test
    void theWarmUpEndsAtTheAttemptsFirstHealthyStep() {
        String run = "warm-then-slow";
        m.attemptStarted(run, 1, null);
        m.steps(run, 1, 1, 40, STEP, 1.0);
        m.attemptStarted(run, 2, 40L);
        m.steps(run, 2, 41, 43, Duration.ofMillis(600), 1.0); // warm-up: skipped
        Instant healthy = m.steps(run, 2, 44, 44, STEP, 1.0);
        m.steps(run, 2, 45, 52, Duration.ofMillis(300), 1.0); // 8 slow steps, 2.4 s, ending 4.3 s after the start
        assertThat(m.verdicts(run)).filteredOn(f -> f.getType() == FailureType.STRAGGLER).singleElement()
                .satisfies(f -> {
                    assertThat(f.getStep()).as("the attempt's first healthy step").isEqualTo(44);
                    assertThat(f.getLastProgressTime()).isEqualTo(healthy);
                    assertThat(f.getEvidence()).startsWith("7 consecutive steps");
                });
    }
}
