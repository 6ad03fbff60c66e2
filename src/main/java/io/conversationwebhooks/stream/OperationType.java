package io.conversationwebhooks.stream;

/**
 * A stream record's {@code eventName}
 * (<a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_Record.html">Record</a>).
 */
public enum OperationType {
    /** A new item was added: the record has a new image only. */
    INSERT,
    /** An item was updated: the record has an old and a new image. */
    MODIFY,
    /** An item was deleted (also by TTL expiry): the record has an old image only. */
    REMOVE
}
