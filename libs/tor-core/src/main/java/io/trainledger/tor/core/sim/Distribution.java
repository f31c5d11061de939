package io.trainledger.tor.core.sim;

import java.util.SplittableRandom;

/** A distribution of durations in seconds, sampled from the simulator's seeded random source. */
@FunctionalInterface
public interface Distribution {

    /** One sample, in seconds (>= 0). */
    double sample(SplittableRandom random);

    /** The mean, in seconds, when known in closed form (NaN otherwise). */
    default double mean() {
        return Double.NaN;
    }

    static Distribution constant(double seconds) {
        requireNonNegative(seconds);
        return new Distribution() {
            public double sample(SplittableRandom r) {
                return seconds;
            }

            public double mean() {
                return seconds;
            }
        };
    }

    static Distribution uniform(double lowSeconds, double highSeconds) {
        requireNonNegative(lowSeconds);
        if (highSeconds < lowSeconds) {
            throw new IllegalArgumentException("high < low");
        }
        return new Distribution() {
            public double sample(SplittableRandom r) {
                return lowSeconds + (highSeconds - lowSeconds) * r.nextDouble();
            }

            public double mean() {
                return (lowSeconds + highSeconds) / 2;
            }
        };
    }

    static Distribution exponential(double meanSeconds) {
        requireNonNegative(meanSeconds);
        return new Distribution() {
            public double sample(SplittableRandom r) {
                return -meanSeconds * Math.log(1 - r.nextDouble());
            }

            public double mean() {
                return meanSeconds;
            }
        };
    }

    /** Log-normal with the given median and shape sigma (mean = median x e^(sigma^2 / 2)). */
    static Distribution logNormal(double medianSeconds, double sigma) {
        requireNonNegative(medianSeconds);
        requireNonNegative(sigma);
        return new Distribution() {
            public double sample(SplittableRandom r) {
                // Box-Muller from two uniforms keeps it reproducible from the SplittableRandom alone
                double u1 = 1 - r.nextDouble();
                double u2 = r.nextDouble();
                double z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
                return medianSeconds * Math.exp(sigma * z);
            }

            public double mean() {
                return medianSeconds * Math.exp(sigma * sigma / 2);
            }
        };
    }

    private static void requireNonNegative(double v) {
        if (!(v >= 0)) {
            throw new IllegalArgumentException("duration must be >= 0, got " + v);
        }
    }
}
