package io.conversationwebhooks.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.config.DeliveryConfig;
import io.conversationwebhooks.config.RetryConfig;
import io.conversationwebhooks.delivery.AddressGuard;
import io.conversationwebhooks.delivery.DeliveryOutcome;
import io.conversationwebhooks.delivery.RetryPolicy;
import io.conversationwebhooks.delivery.WebhookClient;
import io.conversationwebhooks.delivery.WebhookDispatcher;
import io.conversationwebhooks.delivery.WebhookRequest;
import io.conversationwebhooks.ledger.DeliveryLedger;
import io.conversationwebhooks.ledger.LedgerDelivery;
import io.conversationwebhooks.ledger.LedgerOutcome;
import io.conversationwebhooks.ledger.Progress;
import io.conversationwebhooks.operations.DeliveryContext;
import io.conversationwebhooks.operations.LogFields;
import io.conversationwebhooks.operations.OperationsReport;
import io.conversationwebhooks.parking.ParkedDelivery;
import io.conversationwebhooks.parking.RetryQueue;
import io.conversationwebhooks.settlement.DurableDelivery;
import io.conversationwebhooks.settlement.Settlement;
import io.conversationwebhooks.subscription.SubscriptionHealth;
import io.conversationwebhooks.subscription.SubscriptionRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The retry function's work: re-attempts parked deliveries received from the retry queue.
 *
 * <p>Each message is one parked delivery ({@link ParkedDelivery}). It is attempted once, with its webhook-id and body
 * and a fresh webhook-timestamp and signatures, using the subscription's current URL and secret. Then:
 * <ul>
 * <li>2xx: {@code delivered} in the ledger; the message is done (Lambda deletes it).</li>
 * <li>410 Gone: the subscription is disabled, {@code skipped}; done. So are a refused or malformed URL and a
 * subscription that no longer exists.</li>
 * <li>any other failure: the next delay of the schedule (or the {@code Retry-After} of a 429/503, capped) becomes the
 * message's visibility timeout and the message is reported failed, so SQS hands it out again then; while it waits, its
 * FIFO group, i.e. its (conversation, subscriber) pair, is blocked, which keeps the pair in order. When the schedule is
 * used up, or the subscription is disabled, it is {@code dead-lettered} in the ledger with its body, ready for
 * {@code ./replay.sh}; done.</li>
 * </ul>
 * A message whose ledger item is final already (a duplicate) is done without a request. A message received before its
 * time (the first delay after parking) is put back for the time left. Every turn of a delivery keeps its ledger item
 * and pair item from expiring while it waits. A message older than {@code webhooks.retry.max-message-age} (by its SQS
 * {@code SentTimestamp}) is dead-lettered before SQS's retention period can delete it silently. Once a message of a group is reported failed, the
 * later messages of that group in the batch are reported too, not attempted, and made visible again at once: the
 * failed one, in flight for its delay, keeps the whole group blocked. Groups are worked on concurrently. A finished delivery leaves its pair item, so new deliveries of the pair are sent directly
 * again once none is parked.
 */
@ApplicationScoped
public class DeliveryRetries {

    private static final Logger LOG = Logger.getLogger(DeliveryRetries.class);
    /** Slack given to an attempt's wait beyond its deadline before it is abandoned. */
    private static final Duration EARLY_TOLERANCE = RetryDecision.EARLY_TOLERANCE;

    private final DurableDelivery durable;
    private final SubscriptionRepository subscriptions;
    private final SubscriptionHealth health;
    private final AddressGuard guard;
    private final WebhookDispatcher dispatcher;
    private final int maxConcurrentGroups;
    private final RetryDecision decision;
    private final Duration attemptTimeout;
    private final Duration bookkeepingMargin;
    private final Clock clock;
    private final OperationsReport report;

    @Inject
    DeliveryRetries(DurableDelivery durable, SubscriptionRepository subscriptions, SubscriptionHealth health,
            AddressGuard guard, WebhookClient client, DeliveryConfig delivery, RetryConfig retry,
            OperationsReport report) {
        this(durable, subscriptions, health, guard, client, delivery, retry, Clock.systemUTC(), report);
    }

    /**
     * @param clock time source of the schedule, the deadline checks, the message age and the webhook-timestamp
     * @param report where attempts are counted, dead letters and subscriptions disabled or recovered reported
     */
    DeliveryRetries(DurableDelivery durable, SubscriptionRepository subscriptions, SubscriptionHealth health,
            AddressGuard guard, WebhookClient client, DeliveryConfig delivery, RetryConfig retry, Clock clock,
            OperationsReport report) {
        this.report = report;
        this.durable = durable;
        this.subscriptions = subscriptions;
        this.health = health;
        this.guard = guard;
        this.dispatcher = new WebhookDispatcher(client, guard,
                new RetryPolicy(1, Duration.ZERO, Duration.ZERO, RetryPolicy.THREAD_LOCAL_RANDOM), delivery.timeout(),
                clock);
        this.maxConcurrentGroups = retry.maxConcurrentGroups();
        this.decision = new RetryDecision(durable.schedule(), retry.maxMessageAge());
        this.attemptTimeout = delivery.timeout();
        this.bookkeepingMargin = retry.budget().bookkeepingMargin();
        this.clock = clock;
    }

    /**
     * Works on a batch until it is done or the deadline has passed.
     *
     * @param event the SQS batch
     * @param deadline when the invocation must answer; messages not finished by then are reported failed
     * @return the messages to keep on the queue
     * @throws IllegalStateException when the ledger or the retry queue is not configured
     */
    public SqsBatchResponse handle(SqsEvent event, Instant deadline) {
        DeliveryLedger ledger = durable.ledger().orElseThrow(() -> new IllegalStateException(
                "the retry function needs WEBHOOKS_DELIVERIES_TABLE"));
        RetryQueue queue = durable.queue().orElseThrow(() -> new IllegalStateException(
                "the retry function needs WEBHOOKS_RETRY_QUEUE_URL"));
        List<SqsMessage> messages = new ArrayList<>();
        for (JsonNode record : event.records()) {
            SqsMessage message = SqsMessage.of(record);
            if (message == null) {
                LOG.error("Skipping an SQS record without messageId");
            } else {
                messages.add(message);
            }
        }
        Map<String, List<SqsMessage>> groups = new LinkedHashMap<>();
        messages.forEach(message -> groups.computeIfAbsent(message.messageGroupId(), id -> new ArrayList<>()).add(message));
        Set<String> done = ConcurrentHashMap.newKeySet();
        Instant received = clock.instant();
        Duration wait = Duration.between(received, deadline);
        try {
            Multi.createFrom().iterable(groups.values())
                    .onItem().transformToUni(group -> Uni.createFrom().item(() -> {
                        processGroup(group, ledger, queue, received, deadline, done);
                        return group.size();
                    }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                    .merge(maxConcurrentGroups)
                    .collect().asList()
                    .await().atMost(wait.isNegative() ? Duration.ZERO : wait);
        } catch (RuntimeException e) {
            LOG.errorf("Retry batch did not finish before the deadline: %s", e.getMessage());
        }
        List<String> failures = messages.stream().map(SqsMessage::messageId).filter(id -> !done.contains(id)).toList();
        LOG.infof("Retry batch: %d messages, %d groups, %d finished, %d kept on the queue", messages.size(),
                groups.size(), messages.size() - failures.size(), failures.size());
        return SqsBatchResponse.of(failures);
    }

    /**
     * Works on one group's messages in order. Once one is not done, the later ones are not attempted: they are made
     * visible again at once, which cannot let them overtake, since SQS hands out none of a FIFO group while one of its
     * messages is in flight, and the unfinished one is, for its delay.
     */
    private void processGroup(List<SqsMessage> group, DeliveryLedger ledger, RetryQueue queue, Instant received,
            Instant deadline, Set<String> done) {
        boolean blocked = false;
        for (SqsMessage message : group) {
            if (blocked) {
                hide(queue, message, Duration.ZERO, Duration.ZERO);
                continue;
            }
            if (clock.instant().plus(attemptTimeout).plus(bookkeepingMargin).isAfter(deadline)) {
                // no time for a whole attempt and what follows it: back to the queue, no schedule step used
                hide(queue, message, Duration.ZERO, Duration.ZERO);
                blocked = true;
                continue;
            }
            Optional<Duration> later;
            try {
                later = retry(message, ledger, deadline);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Retry message %s failed; it comes back after the queue's visibility timeout",
                        message.messageId());
                blocked = true;
                continue;
            }
            if (later.isEmpty()) {
                done.add(message.messageId());
            } else {
                hide(queue, message, later.get(), Duration.between(received, clock.instant()));
                blocked = true;
            }
        }
    }

    /**
     * One turn of a parked delivery: reads its ledger item and subscription, lets {@link RetryDecision} decide, attempts
     * it when due, and carries out the decision and the attempt's row of {@link Settlement}.
     *
     * @return empty when the message is done, else how long to wait before it comes back
     */
    private Optional<Duration> retry(SqsMessage message, DeliveryLedger ledger, Instant deadline) {
        ParkedDelivery parked;
        ConversationEvent event;
        try {
            parked = ParkedDelivery.fromJson(message.body() == null ? "" : message.body());
            event = ConversationEvent.byName(parked.delivery().event())
                    .orElseThrow(() -> new IllegalArgumentException("event is not a FreeScout conversation event"));
        } catch (IllegalArgumentException e) {
            LOG.errorf("Dropping retry message %s: it is not a parked delivery (%s)", message.messageId(), e.getMessage());
            return Optional.empty();
        }
        LedgerDelivery delivery = parked.delivery();
        RetryDecision.Turn turn = decision.turn(parked, ledger.get(delivery.key()), message.sentAt(), clock.instant());
        if (turn instanceof RetryDecision.Due due) {
            turn = decision.target(due, subscriptions.subscriptions().stream()
                    .filter(candidate -> candidate.id().equals(delivery.subscriptionId())).findFirst());
        }
        if (!(turn instanceof RetryDecision.Attempt attempt)) {
            return carryOut(turn, ledger, parked, null);
        }
        DeliveryOutcome outcome = attempt(new WebhookRequest(delivery.webhookId(), context(delivery).conversationId(),
                event, attempt.subscription(), parked.body()), deadline.minus(bookkeepingMargin));
        report.attempted(delivery.subscriptionId(), outcome);
        Settlement.Row row = Settlement.row(Settlement.Path.RETRY, outcome);
        DeliveryContext context = context(delivery);
        Progress progress = Settlement.progress(outcome, attempt.before().attempts());
        boolean disabled = row.healthFirst()
                && Settlement.changeHealth(health, row.health(), context, progress, report);
        Optional<Duration> later = carryOut(decision.settle(attempt, outcome, disabled, clock.instant()), ledger, parked,
                disabled ? "subscription disabled" : "retry schedule used up");
        if (!row.healthFirst()) {
            Settlement.changeHealth(health, row.health(), context, progress, report);
        }
        return later;
    }

    /**
     * Carries out a decision: ledger and pair item writes; returns when the message comes back, empty when done. A dead
     * letter is reported to operators with {@code deadLetterReason}, or, when null, the error the decision gave it.
     */
    private Optional<Duration> carryOut(RetryDecision.Turn turn, DeliveryLedger ledger, ParkedDelivery parked,
            String deadLetterReason) {
        LedgerDelivery delivery = parked.delivery();
        if (turn instanceof RetryDecision.Drop drop) {
            LogFields.with(context(delivery), () -> LOG.debugf("%s for subscription %s is %s already; message dropped",
                    delivery.webhookId(), delivery.subscriptionId(), drop.outcome().value()));
            ledger.removeParked(delivery.pairKey(), delivery.webhookId());
            return Optional.empty();
        }
        if (turn instanceof RetryDecision.Finish finish) {
            Optional<Duration> done = finish(ledger, parked, finish.outcome(), finish.progress());
            if (finish.outcome() == LedgerOutcome.DEAD_LETTERED) {
                Progress progress = finish.progress();
                report.deadLettered(context(delivery), deadLetterReason != null ? deadLetterReason : progress.lastError(),
                        progress.attempts(), progress.lastStatus(), progress.lastError());
            }
            return done;
        }
        if (turn instanceof RetryDecision.Wait wait) {
            ledger.keepParked(delivery);
            return Optional.of(wait.delay());
        }
        if (turn instanceof RetryDecision.Reschedule next) {
            ledger.reschedule(delivery, next.progress(), next.next(), next.step());
            ledger.keepPair(delivery.pairKey());
            LogFields.with(context(delivery), () -> LOG.infof(
                    "Retry of %s %s for subscription %s failed (%s, attempt %d); next attempt not before %s",
                    delivery.event(), delivery.webhookId(), delivery.subscriptionId(), next.progress().lastError(),
                    next.progress().attempts(), next.next()));
            return Optional.of(next.delay());
        }
        if (turn instanceof RetryDecision.AgainNow) {
            return Optional.of(Duration.ZERO);
        }
        throw new IllegalStateException("not a decision to carry out: " + turn);
    }

    /**
     * One attempt, its address lookup included, ended by {@code attemptDeadline}: a lookup or an attempt the deadline
     * cuts is {@link DeliveryOutcome.DeadlineReached}.
     */
    private DeliveryOutcome attempt(WebhookRequest request, Instant attemptDeadline) {
        Duration left = Duration.between(clock.instant(), attemptDeadline);
        if (left.isNegative() || left.isZero()) {
            return new DeliveryOutcome.DeadlineReached(0, DeliveryOutcome.NO_TIME_LEFT);
        }
        try {
            return Uni.createFrom().item(() -> Optional.of(guard.check(request.subscription().url())))
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                    .ifNoItem().after(left).recoverWithItem(Optional::empty)
                    .flatMap(target -> target.isPresent() ? dispatcher.dispatch(request, target.get(), attemptDeadline)
                            : Uni.createFrom().item(new DeliveryOutcome.DeadlineReached(0,
                                    "address lookup did not finish by the deadline")))
                    .await().atMost(left.plus(EARLY_TOLERANCE));
        } catch (io.smallrye.mutiny.TimeoutException e) {
            return new DeliveryOutcome.DeadlineReached(0, "attempt did not end by the deadline");
        }
    }

    private Optional<Duration> finish(DeliveryLedger ledger, ParkedDelivery parked, LedgerOutcome outcome,
            Progress progress) {
        LedgerDelivery delivery = parked.delivery();
        if (!ledger.finish(delivery, outcome, progress, parked.body())) {
            LogFields.with(context(delivery), () -> LOG.debugf("%s for subscription %s was finished by another "
                    + "invocation", delivery.webhookId(), delivery.subscriptionId()));
        }
        ledger.removeParked(delivery.pairKey(), delivery.webhookId());
        if (outcome == LedgerOutcome.DEAD_LETTERED) {
            LogFields.with(context(delivery), () -> LOG.warnf(
                    "Dead-lettered %s %s for subscription %s after %d attempt(s): %s (./replay.sh %s re-sends it)",
                    delivery.event(), delivery.webhookId(), delivery.subscriptionId(), progress.attempts(),
                    progress.lastError(), delivery.subscriptionId()));
        } else {
            LogFields.with(context(delivery), () -> LOG.infof("Retried %s %s for subscription %s: %s after %d attempt(s)",
                    delivery.event(), delivery.webhookId(), delivery.subscriptionId(), outcome.value(),
                    progress.attempts()));
        }
        return Optional.empty();
    }

    private static DeliveryContext context(LedgerDelivery delivery) {
        return DeliveryContext.ofConversationKey(delivery.subscriptionId(), delivery.conversationKey(),
                delivery.webhookId(), delivery.event());
    }

    private static void hide(RetryQueue queue, SqsMessage message, Duration delay, Duration sinceReceipt) {
        try {
            queue.delay(message.receiptHandle(), delay, sinceReceipt);
        } catch (RuntimeException e) {
            LOG.errorf("Cannot set the visibility of retry message %s; it comes back after the queue's visibility "
                    + "timeout: %s", message.messageId(), e.getMessage());
        }
    }
}
