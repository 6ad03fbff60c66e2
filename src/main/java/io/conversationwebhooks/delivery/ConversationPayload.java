package io.conversationwebhooks.delivery;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.conversationwebhooks.stream.ConversationImage;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Builds the webhook body: FreeScout's conversation object (the shape of FreeScout's API &amp; Webhooks module) from a
 * conversation image, following CONTRACT section 3. Only the listed attributes are sent, in FreeScout's order; an
 * attribute absent from the image is sent as {@code null} ({@code cc}, {@code bcc}, {@code customFields}: {@code []}).
 *
 * <p>Nested objects carry only their contract fields: persons ({@code customer}, {@code createdBy},
 * {@code closedByUser}) {@code id, type, firstName, lastName, email}; {@code assignee} {@code id, "type":"user",
 * firstName, lastName, email, photoUrl}; {@code customerWaitingSince} {@code time, friendly, latestReplyFrom};
 * {@code source} {@code type, via}. Numbers keep every digit. Status, state and type are sent by name. Times are sent as
 * {@code YYYY-MM-DDTHH:MM:SSZ} in UTC, from ISO-8601 text (with or without offset or {@code T}; no offset means UTC)
 * or epoch seconds; a text that is not a time is sent unchanged and logged at WARN, so nothing is lost.
 */
public final class ConversationPayload {

    private static final Logger LOG = Logger.getLogger(ConversationPayload.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .nodeFactory(NODES)
            .build();
    private static final DateTimeFormatter UTC_SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'");
    private static final DateTimeFormatter SPACE_SEPARATED = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss[.SSSSSS][.SSS]");

    /** Fields of the nested objects of CONTRACT section 3; any other field of theirs is not sent. */
    private static final List<String> PERSON = List.of("id", "type", "firstName", "lastName", "email");
    private static final List<String> ASSIGNEE = List.of("firstName", "lastName", "email", "photoUrl");
    private static final List<String> WAITING_SINCE = List.of("time", "friendly", "latestReplyFrom");
    private static final List<String> SOURCE = List.of("type", "via");

    private ConversationPayload() {
    }

    /**
     * @param image the new image (the old one for REMOVE)
     * @return the UTF-8 JSON body, serialised once and then signed and sent as these exact bytes
     */
    public static byte[] toJson(ConversationImage image) {
        try {
            return MAPPER.writeValueAsBytes(toTree(image));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("conversation " + image.get("id").map(AttributeValue::n).orElse("?")
                    + " cannot be serialised", e);
        }
    }

    /** The conversation object as a JSON tree, fields in FreeScout's order. */
    public static ObjectNode toTree(ConversationImage image) {
        ObjectNode body = NODES.objectNode();
        number(body, image, "id");
        number(body, image, "number");
        number(body, image, "threadsCount");
        body.set("type", name(image.type()));
        number(body, image, "folderId");
        body.set("status", name(image.status()));
        body.set("state", name(image.state()));
        body.set("subject", image.get("subject").map(ConversationPayload::value).orElse(NODES.nullNode()));
        body.set("preview", image.get("preview").map(ConversationPayload::value).orElse(NODES.nullNode()));
        number(body, image, "mailboxId");
        body.set("assignee", assignee(image));
        body.set("createdBy", object(image, "createdBy", PERSON));
        time(body, image, "createdAt");
        time(body, image, "updatedAt");
        number(body, image, "closedBy");
        body.set("closedByUser", object(image, "closedByUser", PERSON));
        time(body, image, "closedAt");
        time(body, image, "userUpdatedAt");
        body.set("customerWaitingSince", object(image, "customerWaitingSince", WAITING_SINCE));
        body.set("source", object(image, "source", SOURCE));
        body.set("cc", image.get("cc").map(ConversationPayload::value).orElse(NODES.arrayNode()));
        body.set("bcc", image.get("bcc").map(ConversationPayload::value).orElse(NODES.arrayNode()));
        body.set("customer", object(image, "customer", PERSON));
        body.set("customFields", image.get("customFields").map(ConversationPayload::value).orElse(NODES.arrayNode()));
        return body;
    }

    private static void number(ObjectNode body, ConversationImage image, String name) {
        body.set(name, image.get(name).map(value -> {
            String text = value.n() != null ? value.n() : value.s();
            return text == null ? value(value) : numberOrText(text);
        }).orElse(NODES.nullNode()));
    }

    private static JsonNode name(Optional<String> name) {
        return name.<JsonNode>map(NODES::textNode).orElse(NODES.nullNode());
    }

    private static JsonNode assignee(ConversationImage image) {
        Optional<AttributeValue> assignee = image.get("assignee").filter(AttributeValue::hasM);
        if (assignee.isEmpty() || image.assigneeId().isEmpty()) {
            return NODES.nullNode();
        }
        ObjectNode user = NODES.objectNode();
        Map<String, AttributeValue> fields = assignee.get().m();
        user.set("id", value(fields.get("id")));
        user.put("type", "user");
        for (String field : ASSIGNEE) {
            if (fields.containsKey(field)) {
                user.set(field, value(fields.get(field)));
            }
        }
        return user;
    }

    /** A map attribute with only the listed fields (in that order), or null when absent or not a map. */
    private static JsonNode object(ConversationImage image, String name, List<String> fields) {
        Optional<AttributeValue> map = image.get(name).filter(AttributeValue::hasM);
        if (map.isEmpty()) {
            return NODES.nullNode();
        }
        ObjectNode object = NODES.objectNode();
        Map<String, AttributeValue> values = map.get().m();
        for (String field : fields) {
            if (values.containsKey(field)) {
                object.set(field, value(values.get(field)));
            }
        }
        return object;
    }

    private static void time(ObjectNode body, ConversationImage image, String name) {
        body.set(name, image.get(name).map(value -> {
            if (value.n() != null) {
                try {
                    Instant instant = Instant.ofEpochSecond(new BigDecimal(value.n()).setScale(0, java.math.RoundingMode.FLOOR).longValueExact());
                    return (JsonNode) NODES.textNode(UTC_SECONDS.format(instant.atOffset(ZoneOffset.UTC)));
                } catch (ArithmeticException | java.time.DateTimeException e) {
                    LOG.warnf("Conversation %s: %s %s is not a time in epoch seconds; sent unchanged",
                            image.get("id").map(AttributeValue::n).orElse("?"), name, value.n());
                    return numberOrText(value.n());
                }
            }
            if (value.s() != null) {
                return parseTime(value.s()).<JsonNode>map(NODES::textNode).orElseGet(() -> {
                    LOG.warnf("Conversation %s: %s '%s' is not an ISO-8601 time; sent unchanged",
                            image.get("id").map(AttributeValue::n).orElse("?"), name, value.s());
                    return NODES.textNode(value.s());
                });
            }
            return value(value);
        }).orElse(NODES.nullNode()));
    }

    /** An ISO-8601 (or {@code YYYY-MM-DD HH:MM:SS}) time as {@code YYYY-MM-DDTHH:MM:SSZ} in UTC. */
    static Optional<String> parseTime(String text) {
        String trimmed = text.trim();
        Instant instant;
        try {
            instant = OffsetDateTime.parse(trimmed).toInstant();
        } catch (DateTimeParseException notOffset) {
            try {
                instant = LocalDateTime.parse(trimmed).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notLocal) {
                try {
                    instant = LocalDateTime.parse(trimmed, SPACE_SEPARATED).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException notSpaced) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(UTC_SECONDS.format(instant.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC)));
    }

    /** Any attribute value as JSON: S text, N exact number, BOOL, NULL, M object, L array, sets as arrays, B base64. */
    static JsonNode value(AttributeValue value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value.s() != null) {
            return NODES.textNode(value.s());
        }
        if (value.n() != null) {
            return numberOrText(value.n());
        }
        if (value.bool() != null) {
            return NODES.booleanNode(value.bool());
        }
        if (Boolean.TRUE.equals(value.nul())) {
            return NODES.nullNode();
        }
        if (value.hasM()) {
            ObjectNode object = NODES.objectNode();
            value.m().forEach((key, element) -> object.set(key, value(element)));
            return object;
        }
        if (value.hasL()) {
            ArrayNode array = NODES.arrayNode();
            value.l().forEach(element -> array.add(value(element)));
            return array;
        }
        if (value.hasSs()) {
            ArrayNode array = NODES.arrayNode();
            value.ss().forEach(array::add);
            return array;
        }
        if (value.hasNs()) {
            ArrayNode array = NODES.arrayNode();
            value.ns().forEach(number -> array.add(numberOrText(number)));
            return array;
        }
        if (value.b() != null) {
            return NODES.textNode(Base64.getEncoder().encodeToString(value.b().asByteArrayUnsafe()));
        }
        if (value.hasBs()) {
            ArrayNode array = NODES.arrayNode();
            value.bs().forEach(bytes -> array.add(Base64.getEncoder().encodeToString(bytes.asByteArrayUnsafe())));
            return array;
        }
        return NODES.nullNode();
    }

    private static JsonNode numberOrText(String text) {
        try {
            BigDecimal number = new BigDecimal(text.trim());
            if (number.scale() <= 0 || number.stripTrailingZeros().scale() <= 0) {
                return NODES.numberNode(number.toBigIntegerExact());
            }
            return NODES.numberNode(number);
        } catch (NumberFormatException | ArithmeticException e) {
            return NODES.textNode(text);
        }
    }
}
