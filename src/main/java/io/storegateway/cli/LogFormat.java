package io.storegateway.cli;

import io.storegateway.config.GatewaySettings;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * {@code gateway.log.format} = text (default) or json. Logback reads -D and the environment by itself
 * at start; a value that only the config file sets is applied here, once the settings are loaded.
 * With json, standard output holds JSON lines only: a command's own messages go out as events too.
 */
final class LogFormat {

    static final String KEY = "gateway.log.format";
    private static final Logger LOG = LoggerFactory.getLogger(LogFormat.class);

    private LogFormat() {
    }

    static void apply(GatewaySettings settings) {
        String wanted = settings.get(KEY, "text").trim().toLowerCase(Locale.ROOT);
        if (!wanted.equals("text") && !wanted.equals("json")) {
            throw new IllegalArgumentException(KEY + " must be text or json, not '" + wanted + "'");
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        if (wanted.equals(context.getProperty("LOG_FORMAT"))) {
            return;
        }
        System.setProperty(KEY, wanted);
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            context.reset();
            configurator.doConfigure(LogFormat.class.getResource("/logback.xml"));
        } catch (JoranException e) {
            throw new IllegalStateException("cannot switch the log format to " + wanted + ": " + e.getMessage(), e);
        }
    }

    /** Whether lines go out as JSON now. */
    static boolean json() {
        return LoggerFactory.getILoggerFactory() instanceof LoggerContext context && "json".equals(context.getProperty("LOG_FORMAT"));
    }

    /** A command's message to the person at the terminal: printed as it is, or with JSON logs an event line. */
    static void announce(String event, String text) {
        if (json()) {
            LOG.atInfo().addKeyValue("event", event).log(text.strip());
        } else {
            System.out.println(text);
        }
    }
}
