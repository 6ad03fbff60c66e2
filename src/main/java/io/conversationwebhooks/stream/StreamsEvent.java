package io.conversationwebhooks.stream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A DynamoDB Streams batch as Lambda delivers it: {@code {"Records":[...]}}
 * (<a href="https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html">Using Lambda with DynamoDB</a>).
 *
 * <p>Records are kept as JSON trees so that one malformed record is decoded, reported and skipped on its own
 * instead of failing the whole batch (CONTRACT section 7). Numbers are read as exact decimals: no {@code double}
 * is ever made from the event.
 *
 * @param records the {@code Records} array, in stream order; never null
 */
@RegisterForReflection
@JsonDeserialize(using = StreamsEvent.Deserializer.class)
public record StreamsEvent(List<JsonNode> records) {

    /** Reads the batch with exact decimals, whatever ObjectMapper the caller uses. */
    @RegisterForReflection
    public static final class Deserializer extends StdDeserializer<StreamsEvent> {

        private static final ObjectMapper EXACT = JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                .build();

        public Deserializer() {
            super(StreamsEvent.class);
        }

        @Override
        public StreamsEvent deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            JsonNode root = EXACT.readTree(parser);
            JsonNode records = root == null ? null : root.get("Records");
            List<JsonNode> list = new ArrayList<>();
            if (records != null && records.isArray()) {
                records.forEach(list::add);
            }
            return new StreamsEvent(List.copyOf(list));
        }
    }
}
