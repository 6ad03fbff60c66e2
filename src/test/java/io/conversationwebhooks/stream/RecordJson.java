package io.conversationwebhooks.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Lambda DynamoDB Streams record as JSON, valid by default (a MODIFY of conversation 112, status active to
 * closed), with one method per way to break it.
 */
final class RecordJson {

    static final String EVENT_ID = "c81e728d9d4c2f636f067f89cc14862c";
    static final String SEQUENCE_NUMBER = "4421584500000000017450439091";
    static final String STREAM_ARN =
            "arn:aws:dynamodb:eu-west-1:123456789012:table/conversations/stream/2026-11-30T00:00:00.000";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode record;

    private RecordJson(ObjectNode record) {
        this.record = record;
    }

    static RecordJson modify() {
        return new RecordJson((ObjectNode) parse("""
                {
                  "eventID": "%s",
                  "eventName": "MODIFY",
                  "eventVersion": "1.1",
                  "eventSource": "aws:dynamodb",
                  "awsRegion": "eu-west-1",
                  "dynamodb": {
                    "ApproximateCreationDateTime": 1796038245,
                    "Keys": {"id": {"N": "112"}},
                    "OldImage": {"id": {"N": "112"}, "status": {"N": "1"}, "state": {"N": "2"}},
                    "NewImage": {"id": {"N": "112"}, "status": {"N": "3"}, "state": {"N": "2"}},
                    "SequenceNumber": "%s",
                    "SizeBytes": 120,
                    "StreamViewType": "NEW_AND_OLD_IMAGES"
                  },
                  "eventSourceARN": "%s"
                }
                """.formatted(EVENT_ID, SEQUENCE_NUMBER, STREAM_ARN)));
    }

    RecordJson eventName(String eventName) {
        record.put("eventName", eventName);
        return this;
    }

    RecordJson without(String field) {
        record.remove(field);
        return this;
    }

    RecordJson with(String field, String value) {
        record.put(field, value);
        return this;
    }

    RecordJson withoutDynamodb(String field) {
        dynamodb().remove(field);
        return this;
    }

    RecordJson withDynamodb(String field, String json) {
        dynamodb().set(field, parse(json));
        return this;
    }

    RecordJson key(String json) {
        return withDynamodb("Keys", "{\"id\":" + json + "}");
    }

    JsonNode json() {
        return record;
    }

    StreamRecord decode() {
        return StreamRecordDecoder.decode(record);
    }

    private ObjectNode dynamodb() {
        return (ObjectNode) record.get("dynamodb");
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("test JSON does not parse: " + json, e);
        }
    }
}
