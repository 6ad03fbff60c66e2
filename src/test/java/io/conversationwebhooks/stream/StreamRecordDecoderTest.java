package io.conversationwebhooks.stream;

import static io.conversationwebhooks.stream.RecordJson.EVENT_ID;
import static io.conversationwebhooks.stream.RecordJson.SEQUENCE_NUMBER;
import static io.conversationwebhooks.stream.RecordJson.STREAM_ARN;
import static io.conversationwebhooks.stream.RecordJson.modify;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.node.TextNode;

class StreamRecordDecoderTest {

    @Test
    void should_decode_every_field_of_a_MODIFY_record() {
        // when
        StreamRecord record = modify().decode();

        // then
        assertEquals(EVENT_ID, record.eventId());
        assertEquals(OperationType.MODIFY, record.eventName());
        assertEquals(STREAM_ARN, record.eventSourceArn());
        assertEquals(SEQUENCE_NUMBER, record.sequenceNumber());
        assertEquals(new BigDecimal("1796038245"), record.approximateCreationDateTime());
        assertEquals("112", record.conversationId());
        assertEquals(Optional.of("active"), record.oldImage().status());
        assertEquals(Optional.of("closed"), record.newImage().status());
    }

    @Test
    void should_decode_an_INSERT_without_OldImage() {
        StreamRecord record = modify().eventName("INSERT").withoutDynamodb("OldImage").decode();

        assertEquals(OperationType.INSERT, record.eventName());
        assertNull(record.oldImage());
        assertEquals(Optional.of("closed"), record.newImage().status());
    }

    @Test
    void should_ignore_an_OldImage_sent_with_an_INSERT() {
        StreamRecord record = modify().eventName("INSERT").decode();

        assertNull(record.oldImage());
        assertEquals(Optional.empty(), record.old());
    }

    @Test
    void should_decode_a_REMOVE_without_NewImage_and_describe_it_by_its_OldImage() {
        StreamRecord record = modify().eventName("REMOVE").withoutDynamodb("NewImage").decode();

        assertEquals(OperationType.REMOVE, record.eventName());
        assertNull(record.newImage());
        assertSame(record.oldImage(), record.currentImage());
        assertEquals(Optional.of("active"), record.currentImage().status());
    }

    @Test
    void should_ignore_a_NewImage_sent_with_a_REMOVE() {
        StreamRecord record = modify().eventName("REMOVE").decode();

        assertNull(record.newImage());
        assertEquals(Optional.of("active"), record.currentImage().status());
    }

    @Test
    void should_accept_a_record_without_eventSource_as_moto_sends_it() {
        StreamRecord record = modify().without("eventSource").without("eventSourceARN").decode();

        assertEquals("112", record.conversationId());
        assertNull(record.eventSourceArn());
    }

    @ParameterizedTest(name = "Keys.id {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"N":"112"}       | 112
            {"S":"112"}       | 112
            {"S":"0112"}      | 112
            {"N":"112.0"}     | 112
            """)
    void should_read_the_key_id_as_N_or_as_S_of_digits(String key, String conversationId) {
        assertEquals(conversationId, modify().key(key).decode().conversationId());
    }

    @ParameterizedTest(name = "Keys.id {0}")
    @ValueSource(strings = { "{\"S\":\"abc\"}", "{\"S\":\"\"}", "{\"N\":\"-3\"}", "{\"N\":\"1.5\"}", "{\"BOOL\":true}",
            "{\"NULL\":true}" })
    void should_refuse_a_key_id_that_is_not_digits(String key) {
        MalformedRecordException error = assertThrows(MalformedRecordException.class, () -> modify().key(key).decode());

        assertEquals("Keys.id is not a conversation id (N or S of digits)", error.getMessage());
        assertEquals(EVENT_ID, error.eventId());
        assertEquals(SEQUENCE_NUMBER, error.sequenceNumber());
    }

    @Test
    void should_refuse_keys_without_id() {
        MalformedRecordException error = assertThrows(MalformedRecordException.class,
                () -> modify().withDynamodb("Keys", "{\"number\":{\"N\":\"2112\"}}").decode());

        assertEquals("Keys.id is missing", error.getMessage());
    }

    @Test
    void should_refuse_a_record_without_Keys() {
        MalformedRecordException error = assertThrows(MalformedRecordException.class,
                () -> modify().withoutDynamodb("Keys").decode());

        assertEquals("Keys is not a JSON object", error.getMessage());
    }

    @ParameterizedTest(name = "{0} without {1}")
    @CsvSource({ "MODIFY, OldImage", "MODIFY, NewImage", "INSERT, NewImage", "REMOVE, OldImage" })
    void should_refuse_a_record_missing_an_image_its_eventName_needs(String eventName, String image) {
        MalformedRecordException error = assertThrows(MalformedRecordException.class,
                () -> modify().eventName(eventName).withoutDynamodb(image).decode());

        assertEquals(eventName + " without " + image + " (the stream must be NEW_AND_OLD_IMAGES)", error.getMessage());
        assertEquals(EVENT_ID, error.eventId());
        assertEquals(SEQUENCE_NUMBER, error.sequenceNumber());
    }

    @Test
    void should_treat_a_JSON_null_image_as_missing() {
        MalformedRecordException error = assertThrows(MalformedRecordException.class,
                () -> modify().withDynamodb("OldImage", "null").decode());

        assertEquals("MODIFY without OldImage (the stream must be NEW_AND_OLD_IMAGES)", error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "UPDATE", "modify", "" })
    void should_refuse_an_unknown_eventName(String eventName) {
        MalformedRecordException error = assertThrows(MalformedRecordException.class,
                () -> modify().eventName(eventName).decode());

        assertEquals("eventName '" + eventName + "' is not INSERT, MODIFY or REMOVE", error.getMessage());
        assertEquals(EVENT_ID, error.eventId());
        assertEquals(SEQUENCE_NUMBER, error.sequenceNumber());
    }

    @Test
    void should_refuse_a_record_without_eventName() {
        MalformedRecordException error = assertThrows(MalformedRecordException.class,
                () -> modify().without("eventName").decode());

        assertEquals("eventName is missing", error.getMessage());
    }

    @Test
    void should_refuse_a_record_without_SequenceNumber_and_still_carry_its_eventID() {
        MalformedRecordException error = assertThrows(MalformedRecordException.class,
                () -> modify().withoutDynamodb("SequenceNumber").decode());

        assertEquals("dynamodb.SequenceNumber is missing", error.getMessage());
        assertEquals(EVENT_ID, error.eventId());
        assertNull(error.sequenceNumber());
    }

    @Test
    void should_refuse_a_blank_SequenceNumber() {
        MalformedRecordException error = assertThrows(MalformedRecordException.class,
                () -> modify().withDynamodb("SequenceNumber", "\"  \"").decode());

        assertEquals("dynamodb.SequenceNumber is missing", error.getMessage());
    }

    @Test
    void should_refuse_a_record_whose_eventSource_is_not_aws_dynamodb() {
        MalformedRecordException error = assertThrows(MalformedRecordException.class,
                () -> modify().with("eventSource", "aws:kinesis").decode());

        assertEquals("eventSource is 'aws:kinesis', not aws:dynamodb", error.getMessage());
        assertEquals(EVENT_ID, error.eventId());
        assertEquals(SEQUENCE_NUMBER, error.sequenceNumber());
    }

    @Test
    void should_refuse_a_record_without_dynamodb_and_carry_no_sequence_number() {
        MalformedRecordException error = assertThrows(MalformedRecordException.class,
                () -> modify().without("dynamodb").decode());

        assertEquals("dynamodb is missing", error.getMessage());
        assertEquals(EVENT_ID, error.eventId());
        assertNull(error.sequenceNumber());
    }

    @Test
    void should_refuse_an_image_that_is_not_DynamoDB_JSON_naming_its_path() {
        MalformedRecordException error = assertThrows(MalformedRecordException.class,
                () -> modify().withDynamodb("NewImage", "{\"id\":{\"N\":\"112\"},\"status\":{\"N\":\"closed\"}}").decode());

        assertEquals("NewImage.status.N is not a decimal number", error.getMessage());
        assertEquals(EVENT_ID, error.eventId());
        assertEquals(SEQUENCE_NUMBER, error.sequenceNumber());
    }

    @Test
    void should_refuse_an_ApproximateCreationDateTime_that_is_not_a_number() {
        MalformedRecordException error = assertThrows(MalformedRecordException.class,
                () -> modify().withDynamodb("ApproximateCreationDateTime", "\"yesterday\"").decode());

        assertEquals("dynamodb.ApproximateCreationDateTime is not a number", error.getMessage());
    }

    @Test
    void should_accept_a_record_without_ApproximateCreationDateTime() {
        StreamRecord record = modify().withoutDynamodb("ApproximateCreationDateTime").decode();

        assertNull(record.approximateCreationDateTime());
        assertNotNull(record.newImage());
    }

    @Test
    void should_refuse_a_record_that_is_not_an_object() {
        MalformedRecordException error = assertThrows(MalformedRecordException.class,
                () -> StreamRecordDecoder.decode(new TextNode("INSERT")));

        assertEquals("record is not a JSON object", error.getMessage());
        assertNull(error.eventId());
        assertNull(error.sequenceNumber());
    }

    @Test
    void should_order_records_by_table_and_conversation_id() {
        // the stream label after /stream/ changes when the stream is re-enabled; the table does not
        StreamRecord record = modify().decode();

        assertEquals("arn:aws:dynamodb:eu-west-1:123456789012:table/conversations#112", record.orderingKey());
    }

    @Test
    void should_order_records_by_conversation_id_alone_without_a_stream_ARN() {
        assertEquals("112", modify().without("eventSourceARN").decode().orderingKey());
    }
}
