package io.conversationwebhooks.retry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An SQS batch as Lambda delivers it to the retry function: {@code {"Records":[{"messageId", "receiptHandle", "body",
 * "attributes":{"ApproximateReceiveCount", "MessageGroupId", ...}, "eventSource":"aws:sqs", ...}]}}
 * (<a href="https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html">Using Lambda with Amazon SQS</a>). Records
 * are kept as JSON trees so that one malformed record is handled on its own.
 *
 * @param records the {@code Records} array, in the order Lambda sent them (for a FIFO queue, group order); never null
 */
@RegisterForReflection
@JsonDeserialize(using = SqsEvent.Deserializer.class)
public record SqsEvent(List<JsonNode> records) {

    /** Reads {@code Records}; anything else in the event is ignored. */
    @RegisterForReflection
    public static final class Deserializer extends StdDeserializer<SqsEvent> {

        public Deserializer() {
            super(SqsEvent.class);
        }

        @Override
        public SqsEvent deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            JsonNode root = parser.readValueAsTree();
            JsonNode records = root == null ? null : root.get("Records");
            List<JsonNode> list = new ArrayList<>();
            if (records != null && records.isArray()) {
                records.forEach(list::add);
            }
            return new SqsEvent(List.copyOf(list));
        }
    }
}
