package io.conversationwebhooks.operations;

import java.util.EnumMap;
import java.util.Map;
import java.util.logging.Handler;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.formatters.JsonFormatter;
import org.jboss.logmanager.formatters.StructuredFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;

import io.conversationwebhooks.config.OperationsConfig;
import io.conversationwebhooks.config.OperationsConfig.Log.LogFormat;
import io.quarkus.runtime.StartupEvent;

/**
 * One JSON object per log line when the function runs in Lambda (CONTRACT section 8): JBoss LogManager's own
 * {@link JsonFormatter} (the one Quarkus' logging-json extension configures) on Quarkus' console handler, with the keys
 * <pre>{@code
 * {"time":"2026-11-30T22:00:00.123Z","sequence":12,"loggerClassName":"...","logger":"io.conversationwebhooks...",
 *  "level":"WARN","message":"Subscription crm disabled: HTTP 410 Gone","threadName":"...","threadId":42,
 *  "mdc":{"AWSRequestId":"...","conversationId":"4711","subscriptionId":"crm","webhookId":"msg_..."},"ndc":"",
 *  "hostName":"...","processName":"...","processId":8,"stackTrace":"..." (with an exception)}
 * }</pre>
 * Quarkus' Lambda runtime puts the request id in the MDC as {@code AWSRequestId}; the lines about a delivery or a
 * stream record add the conversation id, subscription id and webhook-id they know ({@link LogFields}). Messages are what the code logs, which never includes a secret,
 * a signature or a header value. Lambda passes lines that are JSON already on unchanged
 * (<a href="https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html">Lambda log
 * formats</a>), so with the function's {@code LogFormat: JSON} its log group holds JSON only, EMF lines included.
 *
 * <p>Installed when the application starts; what Quarkus logged before (its start) stays in text.
 */
@ApplicationScoped
public class JsonLogs {

    /** Set by Lambda in every function's environment. */
    static final String LAMBDA_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME";

    void onStart(@Observes StartupEvent start, OperationsConfig config) {
        if (wanted(config.log().format(), System.getenv())) {
            JsonFormatter formatter;
            try {
                formatter = formatter();
            } catch (RuntimeException | LinkageError e) {
                // The log format must never keep the function from delivering: stay with text lines.
                org.jboss.logging.Logger.getLogger(JsonLogs.class).errorf("JSON log lines unavailable, logging text: %s",
                        e);
                return;
            }
            install(java.util.logging.Logger.getLogger("").getHandlers(), formatter);
        }
    }

    /** Whether to write JSON: {@code json}, or {@code auto} with Lambda's environment. */
    static boolean wanted(LogFormat format, Map<String, String> environment) {
        return format == LogFormat.JSON || format == LogFormat.AUTO && environment.get(LAMBDA_FUNCTION_NAME) != null;
    }

    /** The formatter: keys as above, UTC timestamps, a stack trace as one string. */
    static JsonFormatter formatter() {
        Map<StructuredFormatter.Key, String> keys = new EnumMap<>(StructuredFormatter.Key.class);
        keys.put(StructuredFormatter.Key.TIMESTAMP, "time");
        keys.put(StructuredFormatter.Key.LOGGER_NAME, "logger");
        JsonFormatter formatter = new JsonFormatter(keys);
        formatter.setZoneId("UTC");
        formatter.setPrintDetails(false);
        formatter.setExceptionOutputType(StructuredFormatter.ExceptionOutputType.FORMATTED);
        return formatter;
    }

    /**
     * Sets the formatter on every console handler among the handlers and the handlers nested in them (Quarkus wraps
     * its handlers).
     *
     * @return how many console handlers now write JSON
     */
    static int install(Handler[] handlers, JsonFormatter formatter) {
        int installed = 0;
        for (Handler handler : handlers) {
            if (handler instanceof ConsoleHandler console) {
                console.setFormatter(formatter);
                installed++;
            } else if (handler instanceof ExtHandler parent) {
                installed += install(parent.getHandlers(), formatter);
            }
        }
        return installed;
    }
}
