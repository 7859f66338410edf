package io.sprawl.overlay.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every timing formula against a table of hand-worked values. */
class DetectorMathTest {

    @ParameterizedTest(name = "min suspicion: x{0}, {1} ms, {2} members -> {3} ms")
    @CsvSource({
            "15, 100,    1, 1500",
            "15, 100,    2, 1500",
            "15, 100,    9, 1500",
            "15, 100,   10, 1500",
            "15, 100,  100, 3000",
            "15, 100, 1000, 4500",
            " 4, 500,  100, 4000"})
    void suspicionMinimum(int multiplier, long interval, int members, long expected) {
        assertEquals(expected, DetectorMath.suspicionMinMillis(multiplier, interval, members));
    }

    @ParameterizedTest(name = "suspicion after {2} of {3} confirmations -> {4} ms")
    @CsvSource({
            "1500, 3000, 0, 3, 3000",
            "1500, 3000, 1, 3, 2250",
            "1500, 3000, 2, 3, 1811",
            "1500, 3000, 3, 3, 1500",
            "1500, 3000, 5, 3, 1500",
            "1500, 3000, 0, 0, 1500",
            "1500, 3000, 0, 1, 3000",
            "1500, 3000, 1, 1, 1500"})
    void suspicionShrinksWithConfirmations(long min, long max, int confirmations, int expected, long timeout) {
        assertEquals(timeout, DetectorMath.suspicionTimeoutMillis(min, max, confirmations, expected));
    }

    @ParameterizedTest(name = "expected confirmations: setting {0}, {1} members -> {2}")
    @CsvSource({"3, 9, 3", "3, 4, 2", "3, 2, 0", "3, 1, 0", "0, 9, 0"})
    void expectedConfirmations(int configured, int members, int expected) {
        assertEquals(expected, DetectorMath.expectedConfirmations(configured, members));
    }

    @ParameterizedTest(name = "probe timeout: p99 {0} ms, setting {1} ms, awareness {2} -> {3} ms")
    @CsvSource({
            "  -1, 100, 0, 100",
            "   2, 100, 0,  10",
            "  20, 100, 0,  60",
            "  50, 100, 0, 100",
            "  20, 100, 2, 180",
            "  -1, 100, 8, 900",
            "0.4,  100, 0,  10"})
    void probeTimeout(double p99, long configured, int awareness, long expected) {
        assertEquals(expected, DetectorMath.probeTimeoutMillis(p99, configured, awareness));
    }

    @ParameterizedTest(name = "retransmits at {0} members -> {1}")
    @CsvSource({"1, 4", "9, 4", "10, 8", "99, 8", "100, 12"})
    void retransmits(int members, int expected) {
        assertEquals(expected, DetectorMath.retransmits(members));
    }

    @ParameterizedTest(name = "indirect timeout after a {0} ms direct timeout -> {1} ms")
    @CsvSource({"10, 250", "100, 250", "200, 400"})
    void indirectTimeout(long direct, long expected) {
        assertEquals(expected, DetectorMath.indirectTimeoutMillis(direct));
    }

    @ParameterizedTest(name = "phi {0} ms after the last ack (mean {1}, sd {2}) is in [{3}, {4}]")
    @CsvSource({
            "  800, 800, 50, 0.2,  0.4",
            " 1200, 800, 100, 4,   6",
            "  400, 800, 50, 0,    0.01",
            " 2000, 800, 50, 100, 1000"})
    void phiGrowsWithSilence(long since, double mean, double sd, double low, double high) {
        double phi = DetectorMath.phi(since, mean, sd);
        assertTrue(phi >= low && phi <= high, "phi " + phi);
    }
}
