package io.conversationwebhooks.settlement;

import java.util.List;

import io.conversationwebhooks.delivery.DeliveryOutcome;
import io.conversationwebhooks.delivery.WebhookRequest;
import io.conversationwebhooks.ledger.LedgerKey;
import io.conversationwebhooks.stream.StreamRecord;
import io.smallrye.mutiny.Uni;

/**
 * What is done around the deliveries of a stream record besides sending them (README, "Delivery guarantees"). Without
 * a ledger ({@link PassThroughJournal}) every delivery is sent and a failed one fails its record, as CONTRACT section 7
 * describes; with the delivery ledger, deliveries an earlier invocation already finished are not sent again, and with
 * the retry queue a failed delivery is parked there instead of failing its record.
 */
public interface DeliveryJournal {

    /** What to do with a delivery before sending it. */
    enum Plan {
        /** Send it now. */
        SEND,
        /** An earlier invocation delivered, parked, dead-lettered or skipped it: nothing to do. */
        ALREADY_DONE,
        /** An earlier delivery of the same conversation to the same subscriber is parked: park this one behind it. */
        PARK
    }

    /** What a delivery means for its record. */
    enum Disposition {
        /** Delivered, skipped for good, or already done: the record owes nothing more for it. */
        HANDLED,
        /** On the retry queue: the record owes nothing more for it; the retry function finishes it. */
        PARKED,
        /** Failed and not parked: the record must be retried by Lambda. */
        FAILED
    }

    /**
     * The deliveries one stream record owes, known before any is sent: what a batch journal reads ahead.
     *
     * @param record the stream record
     * @param deliveries its (webhook-id, subscription) pairs, all subscribers
     */
    record Owed(StreamRecord record, List<LedgerKey> deliveries) {
    }

    /**
     * Opens a batch before its deliveries are made. A journal that keeps a ledger starts reading, in as few requests
     * as its store allows, what earlier invocations recorded about every delivery the batch owes; this call returns at
     * once and each record waits, in {@link BatchJournal#open}, only for the reads that hold its own deliveries.
     *
     * @param owed what the batch's records owe, in the order they are expected to be handled; may be empty or leave
     *        records out (those are read when they are opened)
     * @return the batch's journal; never null
     */
    BatchJournal forBatch(List<Owed> owed);

    /** The journal of one batch. */
    interface BatchJournal {

        /**
         * Opens a record before its deliveries are made.
         *
         * @param record the stream record
         * @param requests every delivery the record owes, all subscribers
         * @return the record's journal; a failed Uni fails the record
         */
        Uni<RecordJournal> open(StreamRecord record, List<WebhookRequest> requests);

        /**
         * Completes when everything the batch's records handed over in {@link RecordJournal#close} is written. Called
         * once, after the batch's records are done.
         *
         * @return never a failed Uni
         */
        default Uni<Void> finished() {
            return Uni.createFrom().voidItem();
        }
    }

    /**
     * The journal of one record. Deliveries to one subscriber are passed in order, one after the other; once all of
     * the record's deliveries are settled or parked, {@link #close} is called once.
     */
    interface RecordJournal {

        /** What to do with the delivery; decided without I/O. */
        Plan plan(WebhookRequest request);

        /**
         * Records what became of a sent delivery and, for a failure, parks it when a retry queue exists. A journal may
         * hold a final outcome back and write it with the record's others in {@link #close}.
         *
         * @return what it means for the record; never a failed Uni
         */
        Uni<Disposition> settle(WebhookRequest request, DeliveryOutcome outcome);

        /**
         * Parks a delivery that was not sent because an earlier one to the same subscriber is parked
         * ({@link Plan#PARK}).
         *
         * @return {@link Disposition#PARKED}, or {@link Disposition#FAILED} when parking failed; never a failed Uni
         */
        Uni<Disposition> park(WebhookRequest request);

        /**
         * Hands over what {@link #settle} held back, to be written with what other records of the batch hand over;
         * {@link BatchJournal#finished} tells when it is written. A write that fails is logged, not returned: the
         * deliveries were made, and a redelivery of the record would send them again (README, "Delivery guarantees").
         *
         * @return completes once handed over (not written); never a failed Uni
         */
        default Uni<Void> close() {
            return Uni.createFrom().voidItem();
        }
    }
}
