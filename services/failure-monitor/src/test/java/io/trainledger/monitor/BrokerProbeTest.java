package io.trainledger.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The probe against an address where no broker listens: an outage is confirmed after the confirmation delay. */
class BrokerProbeTest {

    @Test
    void noBrokerIsAnOngoingOutageOnceConfirmed() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free again once closed: nothing listens there
        }
        long before = System.currentTimeMillis();
        try (BrokerProbe probe = new BrokerProbe("127.0.0.1:" + port, Duration.ofMillis(200), Duration.ofMillis(600))) {
            long created = System.currentTimeMillis();
            await().atMost(Duration.ofSeconds(30)).until(() -> probe.outage() != null);
            BrokerHealth.Outage outage = probe.outage();
            assertThat(outage.ongoing()).isTrue();
            assertThat(outage.startWallMs()).as("the last time it counted as reachable: its start")
                    .isBetween(before, created);
            assertThat(outage.lengthMs(System.currentTimeMillis())).isGreaterThanOrEqualTo(600);
        }
    }
}
