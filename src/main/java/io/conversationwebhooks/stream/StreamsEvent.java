package io.conversationwebhooks.stream;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A DynamoDB Streams batch as Lambda delivers it, {@code {"Records":[...]}}
 * (<a href="https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html">Using Lambda with DynamoDB</a>), and the one way
 * it is read: {@link DecodingDeserializer}, into {@link BatchProcessor.DecodedBatch}, by the function and the tests
 * alike.
 *
 * <p>Each record is read as its own JSON tree so that one malformed record is decoded, reported and skipped on its own
 * instead of failing the whole batch (CONTRACT section 7). Numbers are read as exact decimals: no {@code double} is ever
 * made from the event, whatever ObjectMapper the caller uses.
 */
public final class StreamsEvent {

    private static final ObjectMapper EXACT = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private StreamsEvent() {
    }

    /**
     * Reads the batch record by record and decodes each record as soon as it is read, so the JSON tree of the whole
     * batch never exists: only one record's tree at a time, next to the records already decoded. A 6 MB batch of
     * realistic conversations is a 70 MB tree next to 34 MB of decoded records (BENCHMARKS.md), which a 512 MB
     * function cannot afford twice. A missing, null or non-array {@code Records} is an empty batch; when {@code Records} appears twice the last one
     * counts; malformed records are logged and counted.
     */
    @RegisterForReflection
    public static final class DecodingDeserializer extends StdDeserializer<BatchProcessor.DecodedBatch> {

        public DecodingDeserializer() {
            super(BatchProcessor.DecodedBatch.class);
        }

        @Override
        public BatchProcessor.DecodedBatch deserialize(JsonParser parser, DeserializationContext context)
                throws IOException {
            BatchProcessor.Decoder decoder = new BatchProcessor.Decoder();
            if (parser.currentToken() != JsonToken.START_OBJECT) {
                parser.skipChildren();
                return decoder.batch();
            }
            for (String field = parser.nextFieldName(); field != null; field = parser.nextFieldName()) {
                JsonToken value = parser.nextToken();
                if (!field.equals("Records")) {
                    parser.skipChildren();
                    continue;
                }
                decoder = new BatchProcessor.Decoder();
                if (value != JsonToken.START_ARRAY) {
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    JsonNode record = EXACT.readTree(parser);
                    decoder.add(record == null ? NullNode.getInstance() : record);
                }
            }
            return decoder.batch();
        }
    }
}
