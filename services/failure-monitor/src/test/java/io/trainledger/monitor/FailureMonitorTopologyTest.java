package io.trainledger.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.commands.RestartRun;
import io.trainledger.commands.RunCommand;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FailureType;
import io.trainledger.events.RecoveryCompleted;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RunEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The production topology under TopologyTestDriver (plain Avro serdes, see {@link PlainAvroSerde}); wall-clock time
 * is advanced with the trainer's event time so the timeout punctuation fires as it would live. Default thresholds:
 * crash timeout 5 s, hang max(20 x median step, 10 s). The straggler rule has its own class,
 * {@link StragglerTopologyTest}.
 */
class FailureMonitorTopologyTest {
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
    void silenceBeyondTheTimeoutIsOneCrashAndTheNextAttemptIsItsRecovery() {
        String run = "crash-1";
        m.attemptStarted(run, 1, null);
        Instant lastStep = m.steps(run, 1, 1, 40, STEP, 1.0);
        m.advance(Duration.ofMillis(4_500));
        assertThat(m.verdicts(run)).as("silent for less than the 5 s timeout").isEmpty();

        m.advance(Duration.ofSeconds(1));
        assertThat(m.verdicts(run)).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo(FailureType.CRASH);
            assertThat(f.getFailedAttempt()).isEqualTo(1);
            assertThat(f.getStep()).isEqualTo(40);
            assertThat(f.getLastProgressTime()).isEqualTo(lastStep);
            assertThat(Duration.between(lastStep, f.getDetectedTime())).isBetween(Duration.ofSeconds(5),
                    Duration.ofMillis(5_600));
            assertThat(f.getEvidence()).contains("no heartbeat", "timeout 5.0 s");
        });
        assertThat(m.verdictEvents(run).get(0).getSource().getService()).isEqualTo("failure-monitor");
        assertThat(m.commands(run)).as("CRASH restarts are the supervisor's job").isEmpty();

        m.advance(Duration.ofSeconds(30));
        assertThat(m.verdicts(run)).as("no repeated verdict while the run stays silent").hasSize(1);

        m.attemptStarted(run, 2, 30L);
        RecoveryCompleted r = m.recoveries(run).get(0);
        assertThat(m.recoveries(run)).hasSize(1);
        assertThat(r.getAttempt()).isEqualTo(2);
        assertThat(r.getFailureType()).isEqualTo(FailureType.CRASH);
        assertThat(r.getRestoredStep()).isEqualTo(30);
        assertThat(r.getLostSteps()).isEqualTo(10);
        assertThat(r.getRecoveryNanos()).isEqualTo(Duration.between(lastStep, m.now).toNanos());

        m.attemptStarted(run, 2, 30L);
        assertThat(m.recoveries(run)).as("a re-sent AttemptStarted recovers nothing again").hasSize(1);
    }

    @Test
    void heartbeatsWithoutStepsAreAHangThatOrdersARestart() {
        String run = "hang-1";
        m.attemptStarted(run, 1, null);
        Instant lastStep = m.steps(run, 1, 1, 30, STEP, 1.0);
        // threshold = max(20 x 0.1 s, 10 s) = 10 s
        m.beatWithoutProgress(run, 1, 30, lastStep, Duration.ofSeconds(9));
        assertThat(m.verdicts(run)).isEmpty();

        m.beatWithoutProgress(run, 1, 30, lastStep, Duration.ofMillis(1_500));
        FailureDetected f = m.verdicts(run).get(0);
        assertThat(f.getType()).isEqualTo(FailureType.HANG);
        assertThat(f.getStep()).isEqualTo(30);
        assertThat(f.getLastProgressTime()).isEqualTo(lastStep);
        assertThat(f.getEvidence()).contains("floor 10.0 s");
        assertThat(m.commands(run)).singleElement().satisfies(c -> restartOf(c, FailureType.HANG, 1));

        m.beatWithoutProgress(run, 1, 30, lastStep, Duration.ofSeconds(15));
        m.advance(Duration.ofSeconds(10)); // and then the hung process is killed: not a second failure
        assertThat(m.verdicts(run)).hasSize(1);
        assertThat(m.commands(run)).hasSize(1);

        m.attemptStarted(run, 2, 20L);
        assertThat(m.recoveries(run)).singleElement().satisfies(r -> {
            assertThat(r.getFailureType()).isEqualTo(FailureType.HANG);
            assertThat(r.getLostSteps()).isEqualTo(10);
        });
    }

    @Test
    void theHangThresholdFollowsTheObservedStepTime() {
        String run = "hang-slow-steps";
        m.attemptStarted(run, 1, null);
        Instant lastStep = m.steps(run, 1, 1, 12, Duration.ofSeconds(1), 1.0);
        // median step 1 s: threshold = max(20 x 1 s, 10 s) = 20 s
        m.beatWithoutProgress(run, 1, 12, lastStep, Duration.ofSeconds(19));
        assertThat(m.verdicts(run)).as("a 10 s floor would have fired here").isEmpty();
        m.beatWithoutProgress(run, 1, 12, lastStep, Duration.ofSeconds(2));
        assertThat(m.verdicts(run)).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo(FailureType.HANG);
            assertThat(f.getEvidence()).contains("20.0 x median step 1.000 s");
        });
    }

    @Test
    void aNonFiniteLossIsANanVerdictWithRestartOnceOnly() {
        String run = "nan-1";
        m.attemptStarted(run, 1, null);
        Instant lastFinite = m.steps(run, 1, 1, 15, STEP, 1.0);
        m.advance(STEP);
        RunEvent nan = RunEvents.at(run, 1, MonitorDriver.TRAINER, m.now, MonitorDriver.step(16, STEP, Double.NaN));
        m.pipe(run, nan);

        assertThat(m.verdicts(run)).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo(FailureType.NAN_LOSS);
            assertThat(f.getStep()).isEqualTo(15);
            assertThat(f.getLastProgressTime()).isEqualTo(lastFinite);
            assertThat(f.getDetectedTime()).isEqualTo(m.now);
            assertThat(f.getEvidence()).contains("step 16", "NaN");
        });
        assertThat(m.commands(run)).singleElement().satisfies(c -> restartOf(c, FailureType.NAN_LOSS, 1));

        m.pipe(run, nan); // redelivered
        m.steps(run, 1, 17, 20, STEP, Double.POSITIVE_INFINITY); // diverged steps until the restart lands
        m.advance(Duration.ofSeconds(20));
        assertThat(m.verdicts(run)).hasSize(1);
        assertThat(m.commands(run)).hasSize(1);

        m.attemptStarted(run, 2, 10L);
        assertThat(m.recoveries(run)).singleElement().satisfies(r -> {
            assertThat(r.getFailureType()).isEqualTo(FailureType.NAN_LOSS);
            assertThat(r.getRestoredStep()).isEqualTo(10);
            assertThat(r.getLostSteps()).isEqualTo(5);
        });
        m.steps(run, 2, 11, 30, STEP, 1.0);
        m.advance(Duration.ofSeconds(6));
        assertThat(m.verdicts(run)).as("the new attempt is watched again: its silence is a crash")
                .extracting(FailureDetected::getType).containsExactly(FailureType.NAN_LOSS, FailureType.CRASH);
        assertThat(m.verdicts(run).get(1).getFailedAttempt()).isEqualTo(2);
    }

    @Test
    void aCommitTimeRejectionIsOneVerdictAndTheAttemptTrainsOnAndCanStillCrash() {
        String run = "corrupt-commit";
        m.attemptStarted(run, 1, null);
        m.steps(run, 1, 1, 20, STEP, 1.0);
        CheckpointRejected rejected = CheckpointRejected.newBuilder().setStep(10).setReason("sha256 mismatch")
                .build();
        RunEvent rejection = RunEvents.at(run, 1, MonitorDriver.CHECKPOINTER, m.now, rejected);
        m.pipe(run, rejection);
        m.pipe(run, rejection); // redelivered
        assertThat(m.verdicts(run)).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo(FailureType.CHECKPOINT_CORRUPT);
            assertThat(f.getStep()).as("the rejected checkpoint").isEqualTo(10);
            assertThat(f.getFailedAttempt()).isEqualTo(1);
            assertThat(f.getLastProgressTime()).as("the rejection's time").isEqualTo(rejection.getEventTime());
            assertThat(f.getEvidence()).contains("step 10", "at commit", "sha256 mismatch");
        });
        assertThat(m.commands(run)).as("nothing to restart").isEmpty();

        // training goes on past the rejection, and the attempt is still watched: its silence is a crash
        Instant last = m.steps(run, 1, 21, 30, STEP, 1.0);
        m.advance(Duration.ofSeconds(6));
        assertThat(m.verdicts(run)).extracting(FailureDetected::getType)
                .containsExactly(FailureType.CHECKPOINT_CORRUPT, FailureType.CRASH);
        assertThat(m.verdicts(run).get(1).getStep()).isEqualTo(30);
        assertThat(m.verdicts(run).get(1).getLastProgressTime()).isEqualTo(last);
        m.attemptStarted(run, 2, 0L);
        assertThat(m.recoveries(run)).as("the crash is what attempt 2 recovers from").singleElement()
                .satisfies(r -> {
                    assertThat(r.getFailureType()).isEqualTo(FailureType.CRASH);
                    assertThat(r.getLostSteps()).isEqualTo(30);
                });

        // a second rejection (of another checkpoint) is a second verdict
        m.steps(run, 2, 1, 12, STEP, 1.0);
        m.pipe(run, RunEvents.at(run, 2, MonitorDriver.CHECKPOINTER, m.now,
                CheckpointRejected.newBuilder().setStep(10).setReason("truncated").build()));
        assertThat(m.verdicts(run)).extracting(FailureDetected::getType).containsExactly(
                FailureType.CHECKPOINT_CORRUPT, FailureType.CRASH, FailureType.CHECKPOINT_CORRUPT);
    }

    @Test
    void aRestoreTimeRejectionIsAVerdictOfTheRestoringAttemptAndTheCrashIsStillRecovered() {
        String run = "corrupt-restore";
        m.attemptStarted(run, 1, null);
        Instant last = m.steps(run, 1, 1, 40, STEP, 1.0);
        m.advance(Duration.ofMillis(1_500));
        // the supervisor's new process beats while it restores: attempt 1 was replaced before the timeout
        m.heartbeat(run, 2, 0, null);
        // checkpoint 30 fails verification; the trainer falls back to 20
        m.pipe(run, RunEvents.at(run, 2, MonitorDriver.TRAINER, m.now, CheckpointRejected.newBuilder().setStep(30)
                .setUri("file:///ckpt/30").setReason("sha256 mismatch: committed a, file has b").build()));
        m.advance(Duration.ofMillis(300));
        m.attemptStarted(run, 2, 20L);

        assertThat(m.verdicts(run)).extracting(FailureDetected::getType)
                .containsExactly(FailureType.CRASH, FailureType.CHECKPOINT_CORRUPT);
        FailureDetected crash = m.verdicts(run).get(0);
        assertThat(crash.getFailedAttempt()).isEqualTo(1);
        assertThat(crash.getLastProgressTime()).isEqualTo(last);
        FailureDetected corrupt = m.verdicts(run).get(1);
        assertThat(corrupt.getFailedAttempt()).as("the attempt that found it bad").isEqualTo(2);
        assertThat(corrupt.getStep()).isEqualTo(30);
        assertThat(corrupt.getEvidence()).contains("at restore", "attempt 2");
        assertThat(m.recoveries(run)).singleElement().satisfies(r -> {
            assertThat(r.getFailureType()).isEqualTo(FailureType.CRASH);
            assertThat(r.getAttempt()).isEqualTo(2);
            assertThat(r.getRestoredStep()).isEqualTo(20);
            assertThat(r.getLostSteps()).isEqualTo(20);
        });
        assertThat(m.commands(run)).isEmpty();

        // attempt 2 trains past the rejected step and is watched as usual
        m.steps(run, 2, 21, 45, STEP, 1.0);
        m.advance(Duration.ofSeconds(3));
        assertThat(m.verdicts(run)).hasSize(2);
    }

    @Test
    void aCompletedRunFallingSilentIsNoCrash() {
        String run = "done-1";
        m.attemptStarted(run, 1, null);
        m.steps(run, 1, 1, 20, STEP, 1.0);
        m.event(run, 1, RunCompleted.newBuilder().setFinalStep(20).setMetrics(Map.of()).build());
        m.advance(Duration.ofSeconds(30));
        assertThat(m.verdicts(run)).isEmpty();
    }

    @Test
    void aVerdictAlreadyOnTheLedgerIsNotRepeated() {
        // what a restarted monitor (or a second one) sees: the verdict is on the ledger before its own timeout fires
        String run = "ledger-verdict";
        m.attemptStarted(run, 1, null);
        Instant last = m.steps(run, 1, 1, 20, STEP, 1.0);
        m.advance(Duration.ofSeconds(3));
        FailureDetected earlier = FailureDetected.newBuilder().setType(FailureType.CRASH).setLastProgressTime(last)
                .setDetectedTime(m.now).setStep(20).setFailedAttempt(1).setEvidence("other monitor").build();
        m.pipe(run, RunEvents.at(run, 1, RunEvents.source("failure-monitor", "other"), m.now, earlier));
        m.advance(Duration.ofSeconds(10));
        assertThat(m.verdicts(run)).isEmpty();
        m.attemptStarted(run, 2, null);
        assertThat(m.recoveries(run)).singleElement()
                .satisfies(r -> assertThat(r.getFailureType()).isEqualTo(FailureType.CRASH));
    }

    @Test
    void aCrashedAttemptReplacedBeforeTheTimeoutIsStillACrash() {
        String run = "fast-restart";
        m.attemptStarted(run, 1, null);
        Instant last = m.steps(run, 1, 1, 20, STEP, 1.0);
        m.advance(Duration.ofSeconds(2));
        m.heartbeat(run, 2, 0, null); // the supervisor's new process beats while initialising
        assertThat(m.verdicts(run)).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo(FailureType.CRASH);
            assertThat(f.getFailedAttempt()).isEqualTo(1);
            assertThat(f.getLastProgressTime()).isEqualTo(last);
            assertThat(f.getEvidence()).contains("attempt 2 appeared");
        });
        m.advance(Duration.ofMillis(400));
        m.heartbeat(run, 2, 0, null);
        m.attemptStarted(run, 2, null);
        assertThat(m.recoveries(run)).singleElement().satisfies(r -> assertThat(r.getLostSteps()).isEqualTo(20));
        m.steps(run, 2, 1, 10, STEP, 1.0);
        assertThat(m.verdicts(run)).hasSize(1);
    }

    @Test
    void anAttemptThatDiesBeforeItsFirstHeartbeatIsStillACrash() {
        String run = "crash-no-heartbeat";
        m.attemptStarted(run, 1, null);
        Instant lastStep = m.now;
        for (long s = 1; s <= 3; s++) { // steps, but the heartbeat thread never got to send
            m.advance(STEP);
            m.event(run, 1, MonitorDriver.step(s, STEP, 1.0));
            lastStep = m.now;
        }
        m.advance(Duration.ofMillis(4_800));
        assertThat(m.verdicts(run)).isEmpty();
        m.advance(Duration.ofMillis(500));
        assertThat(m.verdicts(run)).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo(FailureType.CRASH);
            assertThat(f.getStep()).isEqualTo(3);
        });
        assertThat(Duration.between(lastStep, m.verdicts(run).get(0).getDetectedTime()))
                .isBetween(Duration.ofSeconds(5), Duration.ofMillis(5_300));
    }

    @Test
    void aRecordThatArrivesOnTimeAfterTheCrashDoesNotDelayTheVerdict() {
        // the checkpointer commits the dead trainer's last snapshot 4.8 s after its last heartbeat: the crash is
        // still judged one punctuation after the 5 s timeout (CRASH latency <= timeout + punctuation interval)
        String run = "crash-late-commit";
        m.attemptStarted(run, 1, null);
        m.steps(run, 1, 1, 20, STEP, 1.0);
        Instant lastBeat = m.now;
        m.advance(Duration.ofMillis(4_800));
        m.event(run, 1, io.trainledger.events.CheckpointCommitted.newBuilder().setStep(20).setUri("file:///c/20")
                .setSha256("00").setBytes(1).setPersistNanos(1).build());
        m.advance(Duration.ofMillis(500));
        assertThat(m.verdicts(run)).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo(FailureType.CRASH);
            assertThat(Duration.between(lastBeat, f.getDetectedTime())).isBetween(Duration.ofSeconds(5),
                    Duration.ofMillis(5_300));
        });
    }

    @Test
    void aLateRecordOfTheRunDefersTheVerdictUntilTheBacklogIsIn() {
        // what a monitor catching up sees: the run's records arrive long after their event times
        String late = "backlog";
        m.attemptStarted(late, 1, null);
        m.steps(late, 1, 1, 20, STEP, 1.0);
        m.advance(Duration.ofMillis(4_900));
        // a heartbeat sent 4.4 s ago arrives now (it was stuck in a backlog): silence is not judged for 1 s
        Instant now = m.now;
        m.now = now.minusMillis(4_400);
        m.heartbeat(late, 1, 20, m.now);
        m.now = now;
        m.advance(Duration.ofMillis(700));
        assertThat(m.verdicts(late)).as("5.6 s of silence, but a late record arrived 0.7 s ago").isEmpty();
        m.advance(Duration.ofMillis(400));
        assertThat(m.verdicts(late)).singleElement()
                .satisfies(f -> assertThat(f.getType()).isEqualTo(FailureType.CRASH));
    }

    @Test
    void aRunThatSurvivesABrokerOutageIsOneInfraVerdictNotACrash() {
        String run = "infra-survived";
        m.attemptStarted(run, 1, null);
        Instant lastStep = m.steps(run, 1, 1, 20, STEP, 1.0);
        m.brokerDown();
        Instant outageStart = m.now;
        m.advance(Duration.ofSeconds(8)); // the monitor reads nothing: 8 s of silence is not judged
        assertThat(m.verdicts(run)).isEmpty();
        m.brokerUp();
        // what the trainer buffered meanwhile comes in late: the same attempt was alive (heartbeats, steps 21-22)
        Instant now = m.now;
        m.now = outageStart.plusSeconds(2);
        m.heartbeat(run, 1, 20, lastStep);
        m.now = outageStart.plusSeconds(4);
        m.event(run, 1, MonitorDriver.step(21, STEP, 1.0));
        m.heartbeat(run, 1, 21, m.now);
        m.now = now;
        assertThat(m.verdicts(run)).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo(FailureType.INFRA);
            assertThat(f.getFailedAttempt()).isEqualTo(1);
            assertThat(f.getStep()).as("the last step seen before the outage").isEqualTo(20);
            assertThat(f.getLastProgressTime()).as("the outage's start").isEqualTo(outageStart);
            assertThat(f.getDetectedTime()).isEqualTo(now);
            assertThat(f.getEvidence()).contains("broker unreachable", "8.0 s");
        });
        m.steps(run, 1, 22, 40, STEP, 1.0);
        m.advance(Duration.ofMillis(1_500));
        assertThat(m.verdicts(run)).as("one verdict per outage").hasSize(1);
        assertThat(m.commands(run)).as("the attempt goes on: nothing to restart").isEmpty();

        // the attempt is still watched: a real crash afterwards is a CRASH
        m.advance(Duration.ofSeconds(6));
        assertThat(m.verdicts(run)).extracting(FailureDetected::getType)
                .containsExactly(FailureType.INFRA, FailureType.CRASH);
        assertThat(m.verdicts(run).get(1).getStep()).isEqualTo(40);
    }

    @Test
    void aTrainerThatDiedDuringABrokerOutageIsACrashJudgedFromTheOutagesEnd() {
        String run = "infra-died";
        m.attemptStarted(run, 1, null);
        m.steps(run, 1, 1, 20, STEP, 1.0);
        m.brokerDown();
        m.advance(Duration.ofSeconds(10));
        m.brokerUp();
        Instant up = m.now;
        m.advance(Duration.ofMillis(4_800));
        assertThat(m.verdicts(run)).as("what was sent during the outage may still come in").isEmpty();
        m.advance(Duration.ofMillis(500));
        assertThat(m.verdicts(run)).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo(FailureType.CRASH);
            assertThat(f.getStep()).isEqualTo(20);
            assertThat(Duration.between(up, f.getDetectedTime())).isBetween(Duration.ofSeconds(5),
                    Duration.ofMillis(5_300));
        });
    }

    @Test
    void anOutageShorterThanTheCrashTimeoutIsNoFailure() {
        String run = "infra-short";
        m.attemptStarted(run, 1, null);
        m.steps(run, 1, 1, 20, STEP, 1.0);
        m.brokerDown();
        m.advance(Duration.ofSeconds(3));
        m.brokerUp();
        m.steps(run, 1, 21, 40, STEP, 1.0);
        m.advance(Duration.ofSeconds(1));
        assertThat(m.verdicts(run)).isEmpty();
    }

    @Test
    void runsAreJudgedIndependently() {
        m.attemptStarted("a", 1, null);
        m.attemptStarted("b", 1, null);
        for (long s = 1; s <= 60; s++) {
            m.advance(STEP);
            m.event("a", 1, MonitorDriver.step(s, STEP, 1.0));
            if (s <= 10) {
                m.event("b", 1, MonitorDriver.step(s, STEP, 1.0));
            }
            if (s % 5 == 0) {
                m.heartbeat("a", 1, s, m.now);
                if (s <= 10) {
                    m.heartbeat("b", 1, s, m.now);
                }
            }
        }
        m.advance(Duration.ofMillis(500));
        assertThat(m.verdicts("a")).isEmpty();
        assertThat(m.verdicts("b")).extracting(FailureDetected::getType).containsExactly(FailureType.CRASH);
    }

    private static void restartOf(RunCommand c, FailureType cause, int failedAttempt) {
        assertThat(c.getPayload()).isInstanceOf(RestartRun.class);
        RestartRun r = (RestartRun) c.getPayload();
        assertThat(r.getCause()).isEqualTo(cause);
        assertThat(r.getFailedAttempt()).isEqualTo(failedAttempt);
        assertThat(c.getIssuedBy().getService()).isEqualTo("failure-monitor");
    }
}
