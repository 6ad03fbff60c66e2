package io.conversationwebhooks.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.conversationwebhooks.change.ChangeDetector;
import io.conversationwebhooks.stream.StreamRecord;
import io.conversationwebhooks.stream.StreamRecordDecoder;

/**
 * A synthetic but realistic DynamoDB Streams batch of the conversations table, in the shape Lambda delivers
 * ({@code {"Records":[...]}}, DynamoDB JSON images, {@code NEW_AND_OLD_IMAGES}).
 *
 * <p>{@code records} records over {@code conversations} conversations. Each conversation's records are, in stream
 * order: an INSERT of a published conversation ({@code convo.created}), then an assignment ({@code convo.assigned}),
 * then status changes active, pending, closed, active, ... ({@code convo.status}); so every record yields exactly one
 * event. Records of different conversations are interleaved in a seeded random order, as a busy help desk writes them.
 *
 * <p>Items are FreeScout conversations with customer, assignee, creator, source, waiting-since, cc and six custom
 * fields: about 2 KB of DynamoDB JSON per image ({@link Items#REALISTIC}). {@link Items#MINIMAL} items keep only what
 * change detection reads, so that 10,000 records fit in Lambda's 6 MB invocation payload (a realistic batch of
 * that size would not).
 *
 * <p>Deliveries and the critical path are computed from the records with the project's own decoder and change
 * detector, and checked against what the receivers count.
 */
public final class ConversationBatch {

    /** How big each conversation item is. */
    public enum Items {
        /** About 2 KB of DynamoDB JSON per image: customer, assignee, creator, custom fields, cc, preview. */
        REALISTIC,
        /** The smallest items change detection works on: id, status and (once assigned) the assignee id. */
        MINIMAL
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STREAM_ARN =
            "arn:aws:dynamodb:us-east-1:123456789012:table/conversations/stream/2026-11-30T00:00:00.000";
    private static final String[] FIRST = { "Maria", "Jordan", "Aiko", "Samuel", "Lea", "Tomás", "Priya", "Chen" };
    private static final String[] LAST = { "Keller", "Bailey", "Tanaka", "Okafor", "Dubois", "García", "Nair", "Wei" };
    private static final long EPOCH = Instant.parse("2026-11-30T08:00:00Z").getEpochSecond();

    private final List<ObjectNode> records;
    private final Map<String, Integer> eventsByRecord;
    private final int conversations;

    private ConversationBatch(List<ObjectNode> records, int conversations) {
        this.records = records;
        this.conversations = conversations;
        this.eventsByRecord = new HashMap<>();
        for (ObjectNode record : records) {
            StreamRecord decoded = StreamRecordDecoder.decode(record);
            eventsByRecord.put(decoded.sequenceNumber(), ChangeDetector.detect(decoded).size());
        }
    }

    /**
     * @param records number of stream records, at least {@code conversations}
     * @param conversations number of distinct conversations
     * @param items item size
     * @param seed seed of the interleaving
     */
    public static ConversationBatch generate(int records, int conversations, Items items, long seed) {
        if (conversations < 1 || records < conversations) {
            throw new IllegalArgumentException("need at least one record per conversation: records=" + records
                    + ", conversations=" + conversations);
        }
        Random random = new Random(seed);
        int[] perConversation = new int[conversations];
        for (int i = 0; i < records; i++) {
            perConversation[i % conversations]++;
        }
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < conversations; c++) {
            for (int k = 0; k < perConversation[c]; k++) {
                order.add(c);
            }
        }
        Collections.shuffle(order, random);
        Map<Integer, ObjectNode> current = new HashMap<>();
        Map<Integer, Integer> step = new HashMap<>();
        List<ObjectNode> out = new ArrayList<>(records);
        long sequence = 100_000_000_000_000_000L;
        for (int c : order) {
            int k = step.merge(c, 1, Integer::sum) - 1;
            long conversationId = 10_001L + c;
            long time = EPOCH + out.size();
            ObjectNode oldImage = current.get(c);
            ObjectNode newImage = k == 0 ? item(conversationId, items, random) : oldImage.deepCopy();
            if (k == 1) {
                newImage.set("assignee", person(3 + c % 7, "user", items));
            } else if (k >= 2) {
                newImage.set("status", n(new long[] { 2, 3, 1 }[(k - 2) % 3]));
            }
            if (items == Items.REALISTIC) {
                newImage.set("updatedAt", s(iso(time)));
                newImage.set("threadsCount", n(k + 1));
            }
            current.put(c, newImage);
            sequence += 1 + random.nextInt(1000);
            out.add(record(k == 0 ? "INSERT" : "MODIFY", conversationId, oldImage, newImage, Long.toString(sequence),
                    String.format("%032x", random.nextLong() & Long.MAX_VALUE), time));
        }
        return new ConversationBatch(out, conversations);
    }

    /** Number of records. */
    public int records() {
        return records.size();
    }

    /** Number of conversations. */
    public int conversations() {
        return conversations;
    }

    /** Webhook deliveries the batch owes when every one of {@code subscribers} subscribers takes every event. */
    public long deliveries(int subscribers) {
        return (long) eventsByRecord.values().stream().mapToInt(Integer::intValue).sum() * subscribers;
    }

    /**
     * The longest per-conversation chain of receiver round trips: a conversation's records go one after the other,
     * and a record's events to one subscriber go one after the other, while subscribers are served in parallel; so a
     * conversation's chain is the sum of its records' event counts, times the receiver latency.
     *
     * @return the chain length in round trips
     */
    public long criticalPathRoundTrips() {
        Map<String, Long> chain = new HashMap<>();
        for (ObjectNode record : records) {
            String conversation = record.path("dynamodb").path("Keys").path("id").path("N").asText();
            String sequenceNumber = record.path("dynamodb").path("SequenceNumber").asText();
            chain.merge(conversation, (long) eventsByRecord.get(sequenceNumber), Long::sum);
        }
        return chain.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /**
     * The longest per-conversation chain when each record also takes {@code perRecordMillis} after its deliveries (the
     * write of its outcomes to the delivery ledger): the largest sum, over one conversation's records, of
     * {@code events x latencyMillis + perRecordMillis}, in ms.
     */
    public double criticalPathMillis(double latencyMillis, double perRecordMillis) {
        Map<String, Double> chain = new HashMap<>();
        for (ObjectNode record : records) {
            chain.merge(conversationOf(record), recordMillis(record, latencyMillis, perRecordMillis), Double::sum);
        }
        return chain.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /**
     * The time all records hold a conversation in progress, summed: over every record,
     * {@code events x latencyMillis + perRecordMillis}, in ms. Divided by the conversations processed at once, a lower
     * bound of the batch.
     */
    public double recordMillis(double latencyMillis, double perRecordMillis) {
        return records.stream().mapToDouble(record -> recordMillis(record, latencyMillis, perRecordMillis)).sum();
    }

    private double recordMillis(ObjectNode record, double latencyMillis, double perRecordMillis) {
        String sequenceNumber = record.path("dynamodb").path("SequenceNumber").asText();
        return eventsByRecord.get(sequenceNumber) * latencyMillis + perRecordMillis;
    }

    private static String conversationOf(ObjectNode record) {
        return record.path("dynamodb").path("Keys").path("id").path("N").asText();
    }

    /** The Lambda event of all records. */
    public String event() {
        return event(0, records.size());
    }

    /** The Lambda event of the records {@code [from, from + count)} in stream order. */
    public String event(int from, int count) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode array = event.putArray("Records");
        records.subList(from, from + count).forEach(array::add);
        return event.toString();
    }

    /** A sub-batch: the records {@code [from, from + count)}, as their own batch. */
    public ConversationBatch slice(int from, int count) {
        List<ObjectNode> part = new ArrayList<>(records.subList(from, from + count));
        long distinct = part.stream().map(r -> r.path("dynamodb").path("Keys").path("id").path("N").asText()).distinct()
                .count();
        return new ConversationBatch(part, (int) distinct);
    }

    /** One record alone as a Lambda event's bytes, for the CPU benchmark. */
    public byte[] singleRecordEvent(int index) {
        return event(index, 1).getBytes(StandardCharsets.UTF_8);
    }

    /** Size in bytes of the DynamoDB JSON of the first record's new image. */
    public int imageBytes() {
        return records.get(0).path("dynamodb").path("NewImage").toString().getBytes(StandardCharsets.UTF_8).length;
    }

    private static ObjectNode record(String eventName, long id, ObjectNode oldImage, ObjectNode newImage,
            String sequenceNumber, String eventId, long time) {
        ObjectNode record = JSON.createObjectNode();
        record.put("eventID", eventId);
        record.put("eventName", eventName);
        record.put("eventVersion", "1.1");
        record.put("eventSource", "aws:dynamodb");
        record.put("awsRegion", "us-east-1");
        record.put("eventSourceARN", STREAM_ARN);
        ObjectNode dynamodb = record.putObject("dynamodb");
        dynamodb.put("ApproximateCreationDateTime", time);
        dynamodb.putObject("Keys").set("id", n(id));
        dynamodb.set("NewImage", newImage);
        if (oldImage != null) {
            dynamodb.set("OldImage", oldImage);
        }
        dynamodb.put("SequenceNumber", sequenceNumber);
        int size = newImage.toString().length() + (oldImage == null ? 0 : oldImage.toString().length());
        dynamodb.put("SizeBytes", size);
        dynamodb.put("StreamViewType", "NEW_AND_OLD_IMAGES");
        return record;
    }

    private static ObjectNode item(long id, Items items, Random random) {
        ObjectNode item = JSON.createObjectNode();
        String customerFirst = FIRST[random.nextInt(FIRST.length)];
        String customerLast = LAST[random.nextInt(LAST.length)];
        item.set("id", n(id));
        item.set("status", n(1));
        if (items == Items.MINIMAL) {
            return item;
        }
        item.set("state", n(2));
        item.set("mailboxId", n(1 + id % 3));
        item.set("number", n(20_000 + id));
        item.set("threadsCount", n(1));
        item.set("type", n(1));
        item.set("subject", s("Invoice INV-" + (20_000 + id) + " was charged twice on my company card"));
        item.set("createdAt", s(iso(EPOCH - 3600)));
        item.set("updatedAt", s(iso(EPOCH - 3600)));
        item.set("folderId", n(5));
        item.set("preview", s("Hi, my card was charged twice for invoice INV-" + (20_000 + id)
                + " this month, once on the 3rd and again on the 4th. Could you refund the duplicate payment to the same"
                + " card? I attached both bank statements and the invoice PDF. Thanks a lot, " + customerFirst));
        item.set("createdBy", person(500 + id, "customer", customerFirst, customerLast));
        item.set("customer", person(500 + id, "customer", customerFirst, customerLast));
        item.set("userUpdatedAt", s(iso(EPOCH - 1800)));
        ObjectNode waiting = JSON.createObjectNode();
        waiting.set("time", s(iso(EPOCH - 3600)));
        waiting.set("friendly", s("Nov 30, 8:00am"));
        waiting.set("latestReplyFrom", s("customer"));
        item.set("customerWaitingSince", m(waiting));
        ObjectNode source = JSON.createObjectNode();
        source.set("type", s("email"));
        source.set("via", s("customer"));
        item.set("source", m(source));
        ArrayNode cc = JSON.createArrayNode();
        cc.add(s("accounts@" + customerLast.toLowerCase() + "-example.com"));
        item.set("cc", l(cc));
        item.set("bcc", l(JSON.createArrayNode()));
        ArrayNode fields = JSON.createArrayNode();
        fields.add(customField(1, "Plan", "Business", "Business"));
        fields.add(customField(2, "Order", Long.toString(700_000 + id), Long.toString(700_000 + id)));
        fields.add(customField(3, "Priority", "2", "High"));
        fields.add(customField(4, "Region", "EU", "Europe"));
        fields.add(customField(5, "Account manager", "12", "Lea Dubois"));
        fields.add(customField(6, "Contract end", "2027-03-31", "2027-03-31"));
        item.set("customFields", l(fields));
        return item;
    }

    private static ObjectNode person(long id, String type, Items items) {
        if (items == Items.MINIMAL) {
            ObjectNode fields = JSON.createObjectNode();
            fields.set("id", n(id));
            return m(fields);
        }
        return person(id, type, FIRST[(int) (id % FIRST.length)], LAST[(int) (id % LAST.length)]);
    }

    private static ObjectNode person(long id, String type, String first, String last) {
        ObjectNode fields = JSON.createObjectNode();
        fields.set("id", n(id));
        fields.set("type", s(type));
        fields.set("firstName", s(first));
        fields.set("lastName", s(last));
        fields.set("email", s(first.toLowerCase() + "." + last.toLowerCase() + "@example.com"));
        if (type.equals("user")) {
            fields.set("photoUrl", s("https://helpdesk.example.com/storage/users/" + id + ".jpg"));
        }
        return m(fields);
    }

    private static ObjectNode customField(long id, String name, String value, String text) {
        ObjectNode fields = JSON.createObjectNode();
        fields.set("id", n(id));
        fields.set("name", s(name));
        fields.set("value", s(value));
        fields.set("text", s(text));
        return m(fields);
    }

    private static String iso(long epochSecond) {
        return Instant.ofEpochSecond(epochSecond).toString();
    }

    private static ObjectNode n(long value) {
        return JSON.createObjectNode().put("N", Long.toString(value));
    }

    private static ObjectNode s(String value) {
        return JSON.createObjectNode().put("S", value);
    }

    private static ObjectNode m(ObjectNode fields) {
        ObjectNode value = JSON.createObjectNode();
        value.set("M", fields);
        return value;
    }

    private static ObjectNode l(ArrayNode elements) {
        ObjectNode value = JSON.createObjectNode();
        value.set("L", elements);
        return value;
    }
}
