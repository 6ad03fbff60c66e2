package io.conversationwebhooks.stream;

import java.util.List;

import io.smallrye.mutiny.Uni;

/** Does the work one stream record owes (for this project: its webhook deliveries). */
@FunctionalInterface
public interface RecordHandler {

    /** Whether a record's work is done. */
    enum Outcome {
        /** Everything the record owes is done, or can never be done and was logged. */
        HANDLED,
        /** Something the record owes failed and may succeed later: Lambda must retry the record. */
        FAILED
    }

    /**
     * Told the batch's records once, before any of them is handled, so that the work they share (reading ahead) can
     * start. Nothing may fail here: a record this cannot make sense of is left to {@link #handle}.
     *
     * @param records the decoded records, in stream order
     */
    default void prepare(List<StreamRecord> records) {
    }

    /**
     * Completes when the work the batch's records left running is done (for this project: the ledger writes of their
     * outcomes). Called once, after every record's {@link #handle} completed; the batch's answer waits for it.
     *
     * @return never a failed Uni
     */
    default Uni<Void> finished() {
        return Uni.createFrom().voidItem();
    }

    /**
     * @param record a decoded record
     * @return the outcome; a Uni failing with {@link MalformedRecordException} marks the record malformed (skipped),
     *         any other failure marks it failed
     */
    Uni<Outcome> handle(StreamRecord record);
}
