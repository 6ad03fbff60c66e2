package io.conversationwebhooks.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

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
 * {@code YYYY-MM-DDTHH:MM:SSZ} in UTC from every spelling CONTRACT section 3 lists ({@link #parseTime},
 * {@link #epochTime}); any other spelling is sent unchanged and logged at WARN naming the attribute and the record, so
 * nothing is lost.
 *
 * <p>The body is written straight to bytes with Jackson's streaming generator (no intermediate tree), once per record
 * whatever the number of subscribers.
 */
public final class ConversationPayload {

    private static final Logger LOG = Logger.getLogger(ConversationPayload.class);
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();
    private static final int TYPICAL_BODY_BYTES = 2048;
    private static final DateTimeFormatter UTC_SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'");
    /** The time spellings of CONTRACT section 3 with {@code T}, then with a space, between date and time. */
    private static final List<DateTimeFormatter> TIME_SPELLINGS = List.of(timeSpelling('T'), timeSpelling(' '));
    /**
     * Up to the seconds of an RFC 3339 leap second ({@code 23:59:60}, section 5.7), which java.time's fields refuse: the
     * date, {@code T} or a space, hours and minutes.
     */
    private static final Pattern LEAP_SECOND = Pattern.compile("^(?<upToSeconds>[^ Tt]+[Tt ]\\d{2}:\\d{2}:)60(?!\\d)");
    /** An N time above this is in epoch milliseconds, at or below in epoch seconds (CONTRACT section 3). */
    private static final BigDecimal EPOCH_MILLIS_ABOVE = BigDecimal.valueOf(100_000_000_000L);

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
     * @throws UncheckedIOException if Jackson's generator fails, which writing to memory does not make it do; the
     *         caller then treats the record as malformed
     */
    public static byte[] toJson(ConversationImage image) {
        return toJson(image, "Conversation " + image.get("id").map(AttributeValue::n).orElse("?"));
    }

    /**
     * As {@link #toJson(ConversationImage)}, naming the stream record in its WARN lines.
     *
     * @param image the new image (the old one for REMOVE)
     * @param record how WARN lines name the record the image comes from, e.g. its {@code eventID} and sequence number
     */
    public static byte[] toJson(ConversationImage image, String record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(TYPICAL_BODY_BYTES);
        try (JsonGenerator json = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            write(json, image, record);
        } catch (IOException e) {
            // Only the generator's own failures can land here: the target is memory.
            throw new UncheckedIOException("conversation " + image.get("id").map(AttributeValue::n).orElse("?")
                    + " cannot be serialised", e);
        }
        return bytes.toByteArray();
    }

    /** The conversation object, fields in FreeScout's order. */
    private static void write(JsonGenerator json, ConversationImage image, String record) throws IOException {
        json.writeStartObject();
        number(json, image, "id");
        number(json, image, "number");
        number(json, image, "threadsCount");
        name(json, "type", image.type());
        number(json, image, "folderId");
        name(json, "status", image.status());
        name(json, "state", image.state());
        plain(json, image, "subject", false);
        plain(json, image, "preview", false);
        number(json, image, "mailboxId");
        assignee(json, image);
        object(json, image, "createdBy", PERSON);
        time(json, image, "createdAt", record);
        time(json, image, "updatedAt", record);
        number(json, image, "closedBy");
        object(json, image, "closedByUser", PERSON);
        time(json, image, "closedAt", record);
        time(json, image, "userUpdatedAt", record);
        object(json, image, "customerWaitingSince", WAITING_SINCE);
        object(json, image, "source", SOURCE);
        plain(json, image, "cc", true);
        plain(json, image, "bcc", true);
        object(json, image, "customer", PERSON);
        plain(json, image, "customFields", true);
        json.writeEndObject();
    }

    /** An attribute as it is, or {@code null} ({@code []} for lists) when absent. */
    private static void plain(JsonGenerator json, ConversationImage image, String name, boolean list) throws IOException {
        json.writeFieldName(name);
        Optional<AttributeValue> value = image.get(name);
        if (value.isPresent()) {
            value(json, value.get());
        } else if (list) {
            json.writeStartArray();
            json.writeEndArray();
        } else {
            json.writeNull();
        }
    }

    private static void number(JsonGenerator json, ConversationImage image, String name) throws IOException {
        AttributeValue value = fieldOrNull(json, image, name);
        if (value == null) {
            return;
        }
        String text = value.n() != null ? value.n() : value.s();
        if (text == null) {
            value(json, value);
        } else {
            numberOrText(json, text);
        }
    }

    /** Writes the field's name, then {@code null} when the image has no such attribute (returning null), or nothing. */
    private static AttributeValue fieldOrNull(JsonGenerator json, ConversationImage image, String name)
            throws IOException {
        json.writeFieldName(name);
        Optional<AttributeValue> value = image.get(name);
        if (value.isEmpty()) {
            json.writeNull();
            return null;
        }
        return value.get();
    }

    private static void name(JsonGenerator json, String field, Optional<String> name) throws IOException {
        json.writeFieldName(field);
        if (name.isPresent()) {
            json.writeString(name.get());
        } else {
            json.writeNull();
        }
    }

    private static void assignee(JsonGenerator json, ConversationImage image) throws IOException {
        json.writeFieldName("assignee");
        Optional<AttributeValue> assignee = image.get("assignee").filter(AttributeValue::hasM);
        if (assignee.isEmpty() || image.assigneeId().isEmpty()) {
            json.writeNull();
            return;
        }
        Map<String, AttributeValue> fields = assignee.get().m();
        json.writeStartObject();
        json.writeFieldName("id");
        value(json, fields.get("id"));
        json.writeStringField("type", "user");
        for (String field : ASSIGNEE) {
            if (fields.containsKey(field)) {
                json.writeFieldName(field);
                value(json, fields.get(field));
            }
        }
        json.writeEndObject();
    }

    /** A map attribute with only the listed fields (in that order), or null when absent or not a map. */
    private static void object(JsonGenerator json, ConversationImage image, String name, List<String> fields)
            throws IOException {
        json.writeFieldName(name);
        Optional<AttributeValue> map = image.get(name).filter(AttributeValue::hasM);
        if (map.isEmpty()) {
            json.writeNull();
            return;
        }
        Map<String, AttributeValue> values = map.get().m();
        json.writeStartObject();
        for (String field : fields) {
            if (values.containsKey(field)) {
                json.writeFieldName(field);
                value(json, values.get(field));
            }
        }
        json.writeEndObject();
    }

    private static void time(JsonGenerator json, ConversationImage image, String name, String record)
            throws IOException {
        AttributeValue value = fieldOrNull(json, image, name);
        if (value == null) {
            return;
        }
        if (value.n() != null) {
            Optional<String> time = epochTime(value.n());
            if (time.isEmpty()) {
                LOG.warnf("%s: %s %s is not a time in epoch seconds or milliseconds (years 0000-9999); sent unchanged", record, name,
                        value.n());
                numberOrText(json, value.n());
            } else {
                json.writeString(time.get());
            }
        } else if (value.s() != null) {
            Optional<String> time = parseTime(value.s());
            if (time.isEmpty()) {
                LOG.warnf("%s: %s '%s' is not a time spelling of CONTRACT section 3; sent unchanged", record, name,
                        value.s());
            }
            json.writeString(time.orElse(value.s()));
        } else {
            value(json, value);
        }
    }

    /**
     * A time of CONTRACT section 3 as {@code YYYY-MM-DDTHH:MM:SSZ} in UTC, fractions of a second dropped: a date, then
     * {@code T} or a space, then {@code HH:MM:SS} with or without a fraction, then {@code Z}, an offset
     * {@code +hh:mm}, {@code +hhmm} or {@code +hh}, or nothing, which means UTC (MySQL {@code DATETIME}, as FreeScout
     * stores it). {@code T} and {@code Z} may be lower case (RFC 3339 section 5.6). Second 60, a leap second (RFC 3339
     * section 5.7), is read as 59, as {@link Instant#parse} does.
     *
     * @param text an S attribute's value
     * @return the UTC time, or empty when the text is no such spelling or its UTC year is outside 0000-9999
     */
    static Optional<String> parseTime(String text) {
        String trimmed = LEAP_SECOND.matcher(text.trim()).replaceFirst("${upToSeconds}59");
        for (DateTimeFormatter spelling : TIME_SPELLINGS) {
            try {
                TemporalAccessor parsed = spelling.parseBest(trimmed, OffsetDateTime::from, LocalDateTime::from);
                Instant instant = parsed instanceof OffsetDateTime offset ? offset.toInstant()
                        : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
                return utc(instant);
            } catch (DateTimeParseException notThisSpelling) {
                // the next spelling, if any
            }
        }
        return Optional.empty();
    }

    /**
     * An N time: epoch seconds, or epoch milliseconds when above 10^11 (CONTRACT section 3; 10^11 seconds is the year
     * 5138, 10^11 milliseconds is 1973), as {@code YYYY-MM-DDTHH:MM:SSZ} in UTC, fractions dropped (rounded down).
     *
     * @param number an N attribute's value (DynamoDB's decimal text)
     * @return the UTC time, or empty when the number is out of the range of {@link Instant} or its UTC year is outside
     *         0000-9999
     */
    static Optional<String> epochTime(String number) {
        try {
            BigDecimal value = new BigDecimal(number);
            BigDecimal seconds = value.compareTo(EPOCH_MILLIS_ABOVE) > 0 ? value.movePointLeft(3) : value;
            return utc(Instant.ofEpochSecond(seconds.setScale(0, RoundingMode.FLOOR).longValueExact()));
        } catch (NumberFormatException | ArithmeticException | DateTimeException e) {
            return Optional.empty();
        }
    }

    /** The contract's {@code YYYY-MM-DDTHH:MM:SSZ}, which has room for the years 0000-9999 only. */
    private static Optional<String> utc(Instant instant) {
        OffsetDateTime time = instant.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC);
        if (time.getYear() < 0 || time.getYear() > 9999) {
            return Optional.empty();
        }
        return Optional.of(UTC_SECONDS.format(time));
    }

    private static DateTimeFormatter timeSpelling(char separator) {
        return new DateTimeFormatterBuilder()
                .parseCaseInsensitive()
                .append(DateTimeFormatter.ISO_LOCAL_DATE)
                .appendLiteral(separator)
                .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
                .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
                .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
                .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
                .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
                .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
                .optionalStart().appendOffset("+HH", "Z").optionalEnd()
                .toFormatter(Locale.ROOT)
                .withResolverStyle(ResolverStyle.STRICT)
                .withChronology(IsoChronology.INSTANCE);
    }

    /** Any attribute value as JSON: S text, N exact number, BOOL, NULL, M object, L array, sets as arrays, B base64. */
    private static void value(JsonGenerator json, AttributeValue value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value.s() != null) {
            json.writeString(value.s());
        } else if (value.n() != null) {
            numberOrText(json, value.n());
        } else if (value.bool() != null) {
            json.writeBoolean(value.bool());
        } else if (Boolean.TRUE.equals(value.nul())) {
            json.writeNull();
        } else if (value.hasM()) {
            json.writeStartObject();
            for (Map.Entry<String, AttributeValue> field : value.m().entrySet()) {
                json.writeFieldName(field.getKey());
                value(json, field.getValue());
            }
            json.writeEndObject();
        } else if (value.hasL()) {
            json.writeStartArray();
            for (AttributeValue element : value.l()) {
                value(json, element);
            }
            json.writeEndArray();
        } else if (value.hasSs()) {
            json.writeStartArray();
            for (String element : value.ss()) {
                json.writeString(element);
            }
            json.writeEndArray();
        } else if (value.hasNs()) {
            json.writeStartArray();
            for (String element : value.ns()) {
                numberOrText(json, element);
            }
            json.writeEndArray();
        } else if (value.b() != null) {
            json.writeString(Base64.getEncoder().encodeToString(value.b().asByteArrayUnsafe()));
        } else if (value.hasBs()) {
            json.writeStartArray();
            for (var bytes : value.bs()) {
                json.writeString(Base64.getEncoder().encodeToString(bytes.asByteArrayUnsafe()));
            }
            json.writeEndArray();
        } else {
            json.writeNull();
        }
    }

    /**
     * A DynamoDB number with every digit: an integral value as an integer ({@code 12.0} as {@code 12}), any other as a
     * plain decimal; a text that is not a number, or whose plain form would exceed {@value #MAX_PLAIN_DIGITS} digits
     * (an S attribute such as {@code "1E+600000000"}: DynamoDB's own numbers never come near), as a string, so that the
     * body is still written and nothing is lost.
     */
    private static void numberOrText(JsonGenerator json, String text) throws IOException {
        if (isCanonicalInteger(text)) {
            json.writeNumber(text);
            return;
        }
        BigDecimal number;
        try {
            number = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            json.writeString(text);
            return;
        }
        long integerDigits = (long) number.precision() - number.scale();
        if (number.scale() > MAX_PLAIN_DIGITS || integerDigits > MAX_PLAIN_DIGITS) {
            json.writeString(text);
        } else if (number.scale() <= 0 || number.stripTrailingZeros().scale() <= 0) {
            json.writeNumber(number.setScale(0, RoundingMode.UNNECESSARY).toBigIntegerExact());
        } else {
            json.writeNumber(number);
        }
    }

    /**
     * Most digits a number is written with, before or after the point. Jackson refuses to write plain decimals with a
     * scale above 9,999; DynamoDB's own numbers have at most 38 significant digits and magnitudes below 1E+126.
     */
    private static final int MAX_PLAIN_DIGITS = 9_999;

    /** {@code 0} or an optional minus and digits without a leading zero: already the integer's JSON form. */
    private static boolean isCanonicalInteger(String text) {
        int start = !text.isEmpty() && text.charAt(0) == '-' ? 1 : 0;
        if (text.length() == start) {
            return false;
        }
        if (text.charAt(start) == '0') {
            return text.length() == 1;
        }
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
