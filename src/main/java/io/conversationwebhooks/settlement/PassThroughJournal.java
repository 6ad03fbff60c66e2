package io.conversationwebhooks.settlement;

import java.util.List;

import io.conversationwebhooks.delivery.DeliveryOutcome;
import io.conversationwebhooks.delivery.WebhookRequest;
import io.conversationwebhooks.settlement.Settlement;
import io.conversationwebhooks.operations.DeliveryContext;
import io.conversationwebhooks.operations.OperationsReport;
import io.conversationwebhooks.stream.StreamRecord;
import io.conversationwebhooks.subscription.SubscriptionHealth;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The journal when no ledger is configured ({@link Settlement.Path#STREAM}): every delivery is sent, a failed one fails
 * its record (CONTRACT section 7), and a subscriber answering 410 Gone is disabled and its delivery counts as handled.
 */
public final class PassThroughJournal implements DeliveryJournal {

    private final SubscriptionHealth health;
    private final OperationsReport report;

    /** @param health where a 410 Gone disables the subscription */
    public PassThroughJournal(SubscriptionHealth health) {
        this(health, OperationsReport.NONE);
    }

    /**
     * @param health where a 410 Gone disables the subscription
     * @param report where the disable is reported ({@code subscription.disabled})
     */
    public PassThroughJournal(SubscriptionHealth health, OperationsReport report) {
        this.health = health;
        this.report = report;
    }

    @Override
    public BatchJournal forBatch(List<Owed> owed) {
        return this::open;
    }

    private Uni<RecordJournal> open(StreamRecord record, List<WebhookRequest> requests) {
        return Uni.createFrom().item(new RecordJournal() {
            @Override
            public Plan plan(WebhookRequest request) {
                return Plan.SEND;
            }

            @Override
            public Uni<Disposition> settle(WebhookRequest request, DeliveryOutcome outcome) {
                Settlement.Row row = Settlement.row(Settlement.Path.STREAM, outcome);
                Disposition disposition = row.next() == Settlement.Next.FAIL_RECORD ? Disposition.FAILED
                        : Disposition.HANDLED;
                if (row.health() == Settlement.Health.NONE) {
                    return Uni.createFrom().item(disposition);
                }
                return Uni.createFrom().item(() -> {
                    Settlement.changeHealth(health, row.health(), new DeliveryContext(request.subscription().id(),
                            record.conversationId(), request.webhookId(), request.event().eventName()),
                            Settlement.progress(outcome, 0), report);
                    return disposition;
                }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
            }

            @Override
            public Uni<Disposition> park(WebhookRequest request) {
                return Uni.createFrom().item(Disposition.FAILED);
            }
        });
    }
}
