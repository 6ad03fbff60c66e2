package io.conversationwebhooks.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what the application logs (through the JBoss LogManager root logger, which is java.util.logging's), with
 * parameters formatted and stack traces included, so tests can check what reaches the logs.
 *
 * <p>In a {@code @QuarkusIntegrationTest} the function is another process (the native binary or the packaged jar):
 * there the system property {@value #FUNCTION_LOG} (set by the failsafe configuration) names the file its output goes
 * to, and the capture is what that file gained since {@link #capture()}.
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

    /** System property naming the output file of the function process under test, in integration tests. */
    public static final String FUNCTION_LOG = "webhooks.test.function-log";

    private final Path functionLog;
    private final long functionLogStart;

    private CapturedLogs() {
        String file = System.getProperty(FUNCTION_LOG);
        functionLog = file == null ? null : Path.of(file);
        functionLogStart = functionLog == null ? 0 : size(functionLog);
        Logger.getLogger("").addHandler(handler);
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts capturing. */
    public static CapturedLogs capture() {
        return new CapturedLogs();
    }

    /** Lines captured so far. */
    public List<String> lines() {
        if (functionLog != null) {
            return functionLogLines();
        }
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    private List<String> functionLogLines() {
        try (SeekableByteChannel channel = Files.newByteChannel(functionLog)) {
            long start = channel.size() < functionLogStart ? 0 : functionLogStart;
            channel.position(start);
            ByteBuffer bytes = ByteBuffer.allocate((int) (channel.size() - start));
            while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                // read to the end
            }
            return new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
