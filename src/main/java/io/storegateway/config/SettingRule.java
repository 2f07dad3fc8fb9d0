package io.storegateway.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the value of one setting must be: its type, range or allowed values. A rule whose key ends in
 * {@code .} covers every key under it ({@code gateway.conflict.policy.sku.} for one policy per SKU prefix).
 * An empty value means "not set" (the default applies) and is never checked here.
 *
 * @param key     the setting, or the prefix of a family of settings
 * @param expects what a good value is, in words: "a whole number from 1 to 500"
 * @param check   null for a good (non-empty, trimmed) value, else what is wrong with it
 */
public record SettingRule(String key, String expects, Function<String, String> check) {

    /** A rule that only says whether a value is good; its problem is "must be {expects}, not '{value}'". */
    static SettingRule accepting(String key, String expects, Predicate<String> accepts) {
        return new SettingRule(key, expects, v -> accepts.test(v) ? null : "must be " + expects + ", not '" + v + "'");
    }

    public boolean isFamily() {
        return key.endsWith(".");
    }

    public boolean covers(String name) {
        return isFamily() ? name.startsWith(key) && name.length() > key.length() : name.equals(key);
    }

    /** Null when the value is good (or empty), else what is wrong with it. */
    public String problemWith(String value) {
        return value == null || value.isBlank() ? null : check.apply(value.trim());
    }

    public static SettingRule wholeNumber(String key, long min, long max) {
        String range = max == Long.MAX_VALUE ? min + " or more" : "from " + min + " to " + max;
        return accepting(key, "a whole number " + range, v -> {
            try {
                long n = Long.parseLong(v);
                return n >= min && n <= max;
            } catch (NumberFormatException e) {
                return false;
            }
        });
    }

    public static SettingRule port(String key) {
        return accepting(key, "a port number from 1 to 65535", v -> v.matches("\\d{1,5}")
                && Integer.parseInt(v) >= 1 && Integer.parseInt(v) <= 65_535);
    }

    public static SettingRule number(String key, double min, double max) {
        return accepting(key, "a number from " + plain(min) + " to " + plain(max), v -> {
            try {
                double d = Double.parseDouble(v);
                return d >= min && d <= max;
            } catch (NumberFormatException e) {
                return false;
            }
        });
    }

    /** One of the given words, in any case. */
    public static SettingRule oneOf(String key, String... values) {
        String list = Arrays.stream(values).collect(Collectors.joining(", "));
        return accepting(key, "one of " + list,
                v -> Arrays.stream(values).anyMatch(a -> a.equalsIgnoreCase(v)));
    }

    public static SettingRule trueOrFalse(String key) {
        return accepting(key, "true or false", v -> v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false"));
    }

    public static SettingRule httpUrl(String key) {
        return accepting(key, "an http:// or https:// URL",
                v -> v.toLowerCase(Locale.ROOT).matches("https?://[^/\\s]+(/\\S*)?"));
    }

    public static SettingRule matching(String key, String regex, String expects) {
        Pattern p = Pattern.compile(regex);
        return accepting(key, expects, v -> p.matcher(v).matches());
    }

    /** Any text (a path, a name, a secret): set or not, it is the reader's to use. */
    public static SettingRule text(String key) {
        return accepting(key, "text", v -> true);
    }

    /**
     * A setting the gateway no longer reads: any value passes, so a store that still sets it starts as
     * before, and the reference says why it has no effect.
     */
    public static SettingRule noLongerRead(String key, String why) {
        return accepting(key, "anything; no longer read: " + why, v -> true);
    }

    /**
     * Good when {@code parse} (the code that reads the setting) takes it; else its own message, which
     * may say more than "must be" (the mirror's URL naming an H2 database says what to do instead).
     */
    public static SettingRule parsedBy(String key, String expects, Consumer<String> parse) {
        return new SettingRule(key, expects, v -> {
            try {
                parse.accept(v);
                return null;
            } catch (RuntimeException e) {
                String m = String.valueOf(e.getMessage());
                return m.startsWith(key + " ") ? m.substring(key.length() + 1) : m;
            }
        });
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
