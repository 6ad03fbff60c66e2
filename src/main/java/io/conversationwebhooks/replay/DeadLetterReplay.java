package io.conversationwebhooks.replay;

import java.util.List;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.ledger.DeliveryLedger;
import io.conversationwebhooks.ledger.LedgerEntry;
import io.conversationwebhooks.ledger.Progress;
import io.conversationwebhooks.settlement.Settlement;
import io.conversationwebhooks.subscription.Subscription;

/**
 * Re-sends the dead-lettered deliveries of a subscription (README, "Delivery guarantees"): in stream order (sequence
 * number, then the event order of CONTRACT section 5), each with its original webhook-id and body and a fresh
 * webhook-timestamp and signatures, to the subscription's current URL with its current secret. Each one answered 2xx
 * is marked {@code delivered} in the ledger (it leaves the dead letters); what each attempt leads to is its row of
 * {@link Settlement} ({@link Settlement.Path#REPLAY}). The first one that fails stops the replay,
 * so nothing is sent out of order; it stays dead-lettered with the new error, and a later replay starts again from it.
 */
public final class DeadLetterReplay {

    /** Sends one request; blocking. */
    @FunctionalInterface
    public interface Sender {
        /**
         * @return the result of one attempt; never throws for a failed request
         */
        Attempt send(Subscription subscription, String webhookId, ConversationEvent event, byte[] body);
    }

    /**
     * The result of one attempt.
     *
     * @param sent whether a request was sent (false when the address guard refused the URL)
     * @param status the HTTP status; 0 when there was no response
     * @param error what went wrong, null on 2xx; never a secret
     * @param latencyMillis duration in milliseconds
     */
    public record Attempt(boolean sent, int status, String error, long latencyMillis) {
        /** Whether the subscriber answered 2xx. */
        public boolean delivered() {
            return error == null && status >= 200 && status < 300;
        }

        /** The kind of outcome, which picks the attempt's row of {@link Settlement} ({@link Settlement.Path#REPLAY}). */
        public Settlement.Kind kind() {
            if (delivered()) {
                return Settlement.Kind.DELIVERED;
            }
            if (!sent) {
                return Settlement.Kind.REJECTED;
            }
            return status == 410 ? Settlement.Kind.GONE : Settlement.Kind.FAILED;
        }
    }

    /** Told about each delivery as it is replayed. */
    @FunctionalInterface
    public interface Listener {
        void replayed(LedgerEntry entry, Attempt attempt);
    }

    /**
     * What a replay did.
     *
     * @param found dead-lettered deliveries found
     * @param replayed of which delivered now
     * @param stoppedAt the one that failed and stopped the replay; null when none did
     * @param error its error; null when none failed
     */
    public record Result(int found, int replayed, LedgerEntry stoppedAt, String error) {
    }

    private final DeliveryLedger ledger;
    private final Sender sender;

    public DeadLetterReplay(DeliveryLedger ledger, Sender sender) {
        this.ledger = ledger;
        this.sender = sender;
    }

    /** Replays the subscription's dead letters; see the class description. */
    public Result replay(Subscription subscription, Listener listener) {
        List<LedgerEntry> deadLetters = ledger.deadLetters(subscription.id());
        int replayed = 0;
        for (LedgerEntry entry : deadLetters) {
            ConversationEvent event = ConversationEvent.byName(entry.delivery().event()).orElse(null);
            if (event == null || entry.body() == null) {
                return new Result(deadLetters.size(), replayed, entry, "dead letter has no event or body");
            }
            Attempt attempt = sender.send(subscription, entry.key().webhookId(), event, entry.body());
            listener.replayed(entry, attempt);
            int attempts = entry.progress().attempts() + (attempt.sent() ? 1 : 0);
            Settlement.Row row = Settlement.row(Settlement.Path.REPLAY, attempt.kind());
            switch (row.write()) {
                case DELIVERED -> ledger.markReplayed(entry,
                        new Progress(attempts, attempt.status(), null, attempt.latencyMillis()));
                case REPLAY_FAILURE -> ledger.recordReplayFailure(entry,
                        new Progress(attempts, attempt.status(), attempt.error(), 0));
                default -> throw new IllegalStateException("no replay row writes " + row.write());
            }
            if (row.next() == Settlement.Next.STOP) {
                return new Result(deadLetters.size(), replayed, entry, attempt.error());
            }
            replayed++;
        }
        return new Result(deadLetters.size(), replayed, null, null);
    }
}
