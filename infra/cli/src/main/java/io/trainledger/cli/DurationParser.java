package io.trainledger.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations such as {@code 1.8h}, {@code 30s}, {@code 10m}, {@code 250ms}, {@code 2d} into seconds. */
public final class DurationParser {

    private static final Pattern FORMAT = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h|d)");

    private DurationParser() {
    }

    /** Seconds, or an {@link IllegalArgumentException} whose message says what is accepted. */
    public static double seconds(String text) {
        Matcher m = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: use a number and a unit, e.g. 30s, 10m, 1.8h, 2d, 500ms");
        }
        double v = Double.parseDouble(m.group(1));
        double unit = switch (m.group(2)) {
            case "ms" -> 0.001;
            case "s" -> 1;
            case "m" -> 60;
            case "h" -> 3600;
            default -> 86_400;
        };
        return v * unit;
    }
}
