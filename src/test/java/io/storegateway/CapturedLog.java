package io.storegateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The lines one logger (and those below it) writes during each test:
 * {@code @RegisterExtension final CapturedLog log = CapturedLog.of(ForwardBackoff.class);}.
 * {@link #start()} begins capturing mid-test instead, when the start-up's lines are not wanted.
 */
public final class CapturedLog implements BeforeEachCallback, AfterEachCallback {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final boolean fromTheStart;

    private CapturedLog(String loggerName, boolean fromTheStart) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        this.fromTheStart = fromTheStart;
    }

    public static CapturedLog of(Class<?> loggerOf) {
        return new CapturedLog(loggerOf.getName(), true);
    }

    /** Lines of every logger under {@code prefix}, from the test's call of {@link #start()} on. */
    public static CapturedLog fromStartUnder(String prefix) {
        return new CapturedLog(prefix, false);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (fromTheStart) {
            start();
        }
    }

    public void start() {
        appender.start();
        logger.addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(appender);
        appender.stop();
    }

    public List<ILoggingEvent> all() {
        // Appending holds the appender's lock (AppenderBase.doAppend): copy under it.
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** INFO and above: what a running gateway shows. */
    public List<ILoggingEvent> worthKnowing() {
        return all().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).toList();
    }

    /** The lines that carry {@code event=name}. */
    public List<ILoggingEvent> events(String name) {
        return all().stream().filter(e -> e.getKeyValuePairs() != null
                && e.getKeyValuePairs().stream().anyMatch(kv -> kv.key.equals("event") && name.equals(kv.value))).toList();
    }
}
