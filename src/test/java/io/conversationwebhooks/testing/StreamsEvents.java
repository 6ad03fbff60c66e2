package io.conversationwebhooks.testing;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * Builds the Lambda event for stream records read through the DynamoDB Streams API, the way Lambda's event source
 * mapping does (<a href="https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html">event shape</a>).
 */
public final class StreamsEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StreamsEvents() {
    }

    /** {@code {"Records":[...]}} for the records, in the given order. */
    public static String lambdaEvent(List<Record> records, String streamArn) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode array = event.putArray("Records");
        for (Record record : records) {
            ObjectNode json = array.addObject();
            json.put("eventID", record.eventID());
            json.put("eventName", record.eventNameAsString());
            json.put("eventVersion", record.eventVersion());
            json.put("eventSource", "aws:dynamodb");
            json.put("awsRegion", record.awsRegion());
            json.put("eventSourceARN", streamArn);
            ObjectNode dynamodb = json.putObject("dynamodb");
            var data = record.dynamodb();
            if (data.approximateCreationDateTime() != null) {
                dynamodb.put("ApproximateCreationDateTime", data.approximateCreationDateTime().getEpochSecond());
            }
            dynamodb.set("Keys", image(data.keys()));
            if (data.hasNewImage()) {
                dynamodb.set("NewImage", image(data.newImage()));
            }
            if (data.hasOldImage()) {
                dynamodb.set("OldImage", image(data.oldImage()));
            }
            dynamodb.put("SequenceNumber", data.sequenceNumber());
            if (data.sizeBytes() != null) {
                dynamodb.put("SizeBytes", data.sizeBytes());
            }
            dynamodb.put("StreamViewType", data.streamViewTypeAsString());
            if (record.userIdentity() != null) {
                json.putObject("userIdentity").put("type", record.userIdentity().type())
                        .put("principalId", record.userIdentity().principalId());
            }
        }
        return event.toString();
    }

    private static ObjectNode image(Map<String, AttributeValue> image) {
        ObjectNode json = JSON.createObjectNode();
        image.forEach((name, value) -> json.set(name, value(value)));
        return json;
    }

    private static ObjectNode value(AttributeValue value) {
        ObjectNode json = JSON.createObjectNode();
        switch (value.type()) {
            case S -> json.put("S", value.s());
            case N -> json.put("N", value.n());
            case B -> json.put("B", Base64.getEncoder().encodeToString(value.b().asByteArray()));
            case BOOL -> json.put("BOOL", value.bool());
            case NUL -> json.put("NULL", true);
            case M -> json.set("M", image(value.m()));
            case L -> {
                ArrayNode list = json.putArray("L");
                value.l().forEach(element -> list.add(value(element)));
            }
            case SS -> {
                ArrayNode set = json.putArray("SS");
                value.ss().forEach(set::add);
            }
            case NS -> {
                ArrayNode set = json.putArray("NS");
                value.ns().forEach(set::add);
            }
            case BS -> {
                ArrayNode set = json.putArray("BS");
                value.bs().forEach(element -> set.add(Base64.getEncoder().encodeToString(element.asByteArray())));
            }
            default -> throw new IllegalArgumentException("unknown attribute type " + value.type());
        }
        return json;
    }
}
