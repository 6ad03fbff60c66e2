package io.conversationwebhooks.delivery;

import java.util.List;

import io.conversationwebhooks.stream.StreamRecord;
import io.conversationwebhooks.subscription.SubscriptionHealth;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The journal when no ledger is configured: every delivery is sent, a failed one fails its record (CONTRACT section 7),
 * and a subscriber answering 410 Gone is disabled and its delivery counts as handled.
 */
public final class PassThroughJournal implements DeliveryJournal {

    private final SubscriptionHealth health;

    /** @param health where a 410 Gone disables the subscription */
    public PassThroughJournal(SubscriptionHealth health) {
        this.health = health;
    }

    @Override
    public Uni<RecordJournal> open(StreamRecord record, List<WebhookRequest> requests) {
        return Uni.createFrom().item(new RecordJournal() {
            @Override
            public Plan plan(WebhookRequest request) {
                return Plan.SEND;
            }

            @Override
            public Uni<Disposition> settle(WebhookRequest request, DeliveryOutcome outcome) {
                if (outcome instanceof DeliveryOutcome.Gone) {
                    return Uni.createFrom().item(() -> {
                        health.disable(request.subscription().id(), "HTTP 410 Gone");
                        return Disposition.HANDLED;
                    }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
                }
                return Uni.createFrom().item(outcome.failsRecord() ? Disposition.FAILED : Disposition.HANDLED);
            }

            @Override
            public Uni<Disposition> park(WebhookRequest request) {
                return Uni.createFrom().item(Disposition.FAILED);
            }
        });
    }
}
