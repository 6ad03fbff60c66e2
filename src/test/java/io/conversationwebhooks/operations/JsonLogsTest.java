package io.conversationwebhooks.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.logging.Handler;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Level;
import org.jboss.logmanager.formatters.JsonFormatter;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.conversationwebhooks.config.OperationsConfig.Log.LogFormat;

class JsonLogsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void json_in_lambda_text_elsewhere_unless_chosen() {
        Map<String, String> lambda = Map.of("AWS_LAMBDA_FUNCTION_NAME", "stack-conversation-webhooks");
        assertTrue(JsonLogs.wanted(LogFormat.AUTO, lambda));
        assertFalse(JsonLogs.wanted(LogFormat.AUTO, Map.of("HOME", "/root")));
        assertTrue(JsonLogs.wanted(LogFormat.JSON, Map.of()));
        assertFalse(JsonLogs.wanted(LogFormat.TEXT, lambda));
    }

    @Test
    void a_line_is_one_json_object_with_time_level_logger_message_and_the_lambda_request_id() throws Exception {
        // given
        ExtLogRecord record = new ExtLogRecord(Level.WARN, "Subscription %s disabled: %s", ExtLogRecord.FormatStyle.PRINTF,
                "io.conversationwebhooks.Test");
        record.setParameters(new Object[] { "crm", "HTTP 410 Gone" });
        record.setLoggerName("io.conversationwebhooks.subscription.DynamoDbSubscriptionHealth");
        record.setInstant(Instant.parse("2026-11-30T22:00:00.123Z"));
        record.setMdc(Map.of("AWSRequestId", "8f5a-request"));
        record.setThrown(new IllegalStateException("boom\nsecond line"));

        // when
        String line = JsonLogs.formatter().format(record);

        // then
        assertTrue(line.endsWith("\n"));
        assertEquals(1, line.strip().lines().count(), "one line: " + line);
        JsonNode json = JSON.readTree(line);
        assertEquals("2026-11-30T22:00:00.123Z", json.get("time").asText());
        assertEquals("WARN", json.get("level").asText());
        assertEquals("io.conversationwebhooks.subscription.DynamoDbSubscriptionHealth", json.get("logger").asText());
        assertEquals("Subscription crm disabled: HTTP 410 Gone", json.get("message").asText());
        assertEquals("8f5a-request", json.at("/mdc/AWSRequestId").asText());
        assertTrue(json.get("stackTrace").asText().contains("java.lang.IllegalStateException: boom\nsecond line\n\tat "),
                "the stack trace, in one JSON string");
    }

    @Test
    void installs_on_console_handlers_nested_in_quarkus_handlers_only() {
        // given
        ConsoleHandler console = new ConsoleHandler(new PatternFormatter("%s%n"));
        ExtHandler wrapper = new ExtHandler() {
        };
        wrapper.addHandler(console);
        PatternFormatter other = new PatternFormatter("%s%n");
        ExtHandler notConsole = new ExtHandler() {
        };
        notConsole.setFormatter(other);
        JsonFormatter formatter = JsonLogs.formatter();

        // when
        int installed = JsonLogs.install(new Handler[] { wrapper, notConsole }, formatter);

        // then
        assertEquals(1, installed);
        assertSame(formatter, console.getFormatter());
        assertSame(other, notConsole.getFormatter());
    }
}
