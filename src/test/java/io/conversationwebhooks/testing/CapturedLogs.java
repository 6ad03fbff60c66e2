package io.conversationwebhooks.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what the application logs (through the JBoss LogManager root logger, which is java.util.logging's), with
 * parameters formatted and stack traces included, so tests can check what reaches the logs.
 */
public final class CapturedLogs implements AutoCloseable {

    private final List<String> lines = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringBuilder line = new StringBuilder(record.getLevel() + " " + record.getLoggerName() + " ");
            line.append(formatted(record));
            for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                line.append(" | ").append(t);
            }
            synchronized (lines) {
                lines.add(line.toString());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private CapturedLogs() {
        Logger.getLogger("").addHandler(handler);
    }

    /** Starts capturing. */
    public static CapturedLogs capture() {
        return new CapturedLogs();
    }

    /** Lines captured so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** All lines as one text. */
    public String text() {
        return String.join("\n", lines());
    }

    private static String formatted(LogRecord record) {
        if (record instanceof org.jboss.logmanager.ExtLogRecord ext) {
            return ext.getFormattedMessage();
        }
        return String.valueOf(record.getMessage());
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(handler);
    }
}
