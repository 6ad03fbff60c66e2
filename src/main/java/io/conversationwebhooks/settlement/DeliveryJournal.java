package io.conversationwebhooks.settlement;

import java.util.List;

import io.conversationwebhooks.delivery.DeliveryOutcome;
import io.conversationwebhooks.delivery.WebhookRequest;
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
     * Opens a record before its deliveries are made: reads what earlier invocations recorded about them.
     *
     * @param record the stream record
     * @param requests every delivery the record owes, all subscribers
     * @return the record's journal; a failed Uni fails the record
     */
    Uni<RecordJournal> open(StreamRecord record, List<WebhookRequest> requests);

    /** The journal of one record. Deliveries to one subscriber are passed in order, one after the other. */
    interface RecordJournal {

        /** What to do with the delivery; decided without I/O. */
        Plan plan(WebhookRequest request);

        /**
         * Records what became of a sent delivery and, for a failure, parks it when a retry queue exists.
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
    }
}
