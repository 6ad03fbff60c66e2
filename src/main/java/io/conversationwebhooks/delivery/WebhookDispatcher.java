package io.conversationwebhooks.delivery;

import java.net.ConnectException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.conversationwebhooks.config.DeliveryConfig;
import io.conversationwebhooks.operations.LogFields;
import io.smallrye.mutiny.Uni;

/**
 * Sends one webhook request with inline retries (CONTRACT sections 6 and 7).
 *
 * <p>Every attempt carries the same {@code webhook-id} and body, a fresh {@code webhook-timestamp} (Unix seconds of
 * the attempt) and signatures made for it. The final status line of the response decides ({@link WebhookClient}:
 * interim 1xx skipped, the body read only up to a bound, within the attempt's timeout): 2xx
 * {@link DeliveryOutcome.Delivered}; 5xx, 429, timeouts and connection errors are retried with {@link RetryPolicy} backoff while attempts and time are left, then
 * {@link DeliveryOutcome.Retryable}; a 429 or 503 with {@code Retry-After} waits that long instead of the backoff when
 * the wait ends before the deadline, and otherwise ends the inline attempts; 410
 * {@link DeliveryOutcome.Gone}; 3xx (never followed) and other 4xx {@link DeliveryOutcome.Failed} at once; a connection
 * whose peer the address guard refused ({@link RefusedPeerException}) {@link DeliveryOutcome.Rejected}. No attempt
 * starts, or outlasts, the deadline given to {@link #dispatch}: when no time is left for the first attempt, or an
 * attempt shortened to the time left runs out, the outcome is {@link DeliveryOutcome.DeadlineReached}, which is not the
 * subscriber's failure; when a retry finds no time left, the outcome is the failure before it. Attempts in flight are
 * bounded by an {@link InFlightLimit}; an attempt's timestamp, signatures and timeout start when it gets its place.
 */
@ApplicationScoped
public class WebhookDispatcher {

    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);

    private final WebhookClient client;
    private final RetryPolicy retryPolicy;
    private final Duration attemptTimeout;
    private final Clock clock;
    private final InFlightLimit inFlight;

    @Inject
    WebhookDispatcher(WebhookClient client, AddressGuard guard, DeliveryConfig config) {
        this(client, guard, new RetryPolicy(config.maxAttempts(), config.initialBackoff(), config.maxBackoff(),
                RetryPolicy.THREAD_LOCAL_RANDOM), config.timeout(), Clock.systemUTC(),
                new InFlightLimit(config.maxInFlight()));
    }

    /**
     * A dispatcher with no bound on attempts in flight.
     *
     * @param client the HTTP client, built with {@code guard}
     * @param guard the client's address guard; not consulted here any more (the client fails an attempt whose peer it
     *        refused with {@link RefusedPeerException}), kept so that callers need not change
     * @param retryPolicy attempts and backoff
     * @param attemptTimeout longest time one attempt may take
     * @param clock source of {@code webhook-timestamp} and of the deadline checks
     */
    public WebhookDispatcher(WebhookClient client, AddressGuard guard, RetryPolicy retryPolicy, Duration attemptTimeout,
            Clock clock) {
        this(client, guard, retryPolicy, attemptTimeout, clock, new InFlightLimit(Integer.MAX_VALUE));
    }

    /**
     * @param client the HTTP client, built with {@code guard}
     * @param guard the client's address guard; not consulted here any more (the client fails an attempt whose peer it
     *        refused with {@link RefusedPeerException}), kept so that callers need not change
     * @param retryPolicy attempts and backoff
     * @param attemptTimeout longest time one attempt may take
     * @param clock source of {@code webhook-timestamp} and of the deadline checks
     * @param inFlight the bound on attempts in flight, shared by every delivery of the container
     */
    public WebhookDispatcher(WebhookClient client, AddressGuard guard, RetryPolicy retryPolicy, Duration attemptTimeout,
            Clock clock, InFlightLimit inFlight) {
        this.client = client;
        this.retryPolicy = retryPolicy;
        this.attemptTimeout = attemptTimeout;
        this.clock = clock;
        this.inFlight = inFlight;
    }

    /**
     * Delivers the request to its subscriber.
     *
     * @param request what to send
     * @param target the address guard's verdict on the subscriber URL
     * @param deadline when the attempts must have ended (the caller keeps time after it for its bookkeeping); no
     *        attempt runs past it
     * @return the outcome; never a failed Uni
     */
    public Uni<DeliveryOutcome> dispatch(WebhookRequest request, TargetCheck target, Instant deadline) {
        Uni<DeliveryOutcome> outcome;
        if (target instanceof TargetCheck.Allowed allowed) {
            outcome = attemptFrom(1, request, allowed.uri(), deadline);
        } else if (target instanceof TargetCheck.Unresolved unresolved) {
            outcome = Uni.createFrom().item(new DeliveryOutcome.Retryable(0, unresolved.reason(), 0));
        } else {
            outcome = Uni.createFrom().item(new DeliveryOutcome.Rejected(((TargetCheck.Refused) target).reason()));
        }
        return outcome.invoke(result -> log(request, result));
    }

    private Uni<DeliveryOutcome> attemptFrom(int attempt, WebhookRequest request, URI uri, Instant deadline) {
        return inFlight.run(() -> attempt(attempt, request, uri, deadline)).flatMap(outcome -> {
            if (!(outcome instanceof DeliveryOutcome.Retryable retryable) || attempt >= retryPolicy.maxAttempts()) {
                return Uni.createFrom().item(outcome);
            }
            Duration backoff = retryable.retryAfter().orElseGet(() -> retryPolicy.backoffAfter(attempt));
            if (!clock.instant().plus(backoff).isBefore(deadline)) {
                return Uni.createFrom().item(outcome);
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(backoff)
                    .flatMap(ignored -> attemptFrom(attempt + 1, request, uri, deadline))
                    .map(next -> next instanceof DeliveryOutcome.DeadlineReached && next.attempts() == attempt ? outcome
                            : next);
        });
    }

    private Uni<DeliveryOutcome> attempt(int attempt, WebhookRequest request, URI uri, Instant deadline) {
        return Uni.createFrom().deferred(() -> {
            Instant now = clock.instant();
            Duration left = Duration.between(now, deadline);
            if (left.isNegative() || left.isZero()) {
                return Uni.createFrom().item(new DeliveryOutcome.DeadlineReached(attempt - 1, DeliveryOutcome.NO_TIME_LEFT));
            }
            boolean shortened = left.compareTo(attemptTimeout) < 0;
            Duration timeout = shortened ? left : attemptTimeout;
            SignedRequest signed = SignedRequest.sign(request, now);
            return client.post(uri, signed.headers(), signed.body(), timeout)
                    .map(response -> classify(response, attempt, clock.instant()))
                    .onFailure().recoverWithItem(failure -> {
                        if (failure instanceof TimeoutException && shortened) {
                            return new DeliveryOutcome.DeadlineReached(attempt,
                                    "attempt cut short by the invocation deadline after " + timeout.toMillis() + " ms");
                        }
                        if (failure instanceof RefusedPeerException refused) {
                            return new DeliveryOutcome.Rejected(refused.reason());
                        }
                        return new DeliveryOutcome.Retryable(0, describe(failure), attempt);
                    });
        });
    }

    /** The outcome of the final status line (the body decided nothing: {@link WebhookClient}). */
    private static DeliveryOutcome classify(WebhookResponse response, int attempt, Instant now) {
        int status = response.status();
        long latencyMillis = response.millisToStatus();
        if (status >= 200 && status < 300) {
            return new DeliveryOutcome.Delivered(status, attempt, latencyMillis);
        }
        if (status == 410) {
            return new DeliveryOutcome.Gone(attempt);
        }
        if (status == 429 || status == 503) {
            return new DeliveryOutcome.Retryable(status, "HTTP " + status, attempt,
                    RetryAfter.parse(response.retryAfter().orElse(null), now));
        }
        if (status >= 500) {
            return new DeliveryOutcome.Retryable(status, "HTTP " + status, attempt);
        }
        return new DeliveryOutcome.Failed(status, attempt);
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            if (cause instanceof TimeoutException || cause instanceof ConnectException) {
                break;
            }
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static void log(WebhookRequest request, DeliveryOutcome outcome) {
        if (outcome instanceof DeliveryOutcome.Delivered && !LOG.isDebugEnabled()) {
            // the one outcome of every healthy delivery, logged at DEBUG only: no MDC work on the hot path for it
            return;
        }
        LogFields.with(request.conversationId(), request.subscription().id(), request.webhookId(),
                () -> logOutcome(request, outcome));
    }

    private static void logOutcome(WebhookRequest request, DeliveryOutcome outcome) {
        String subscription = request.subscription().id();
        String event = request.event().eventName();
        if (outcome instanceof DeliveryOutcome.Delivered delivered) {
            LOG.debugf("Delivered %s %s to subscription %s: HTTP %d in %d ms, attempt %d", event, request.webhookId(),
                    subscription, delivered.status(), delivered.latencyMillis(), delivered.attempts());
        } else if (outcome instanceof DeliveryOutcome.Retryable retryable) {
            LOG.warnf("Delivery of %s %s to subscription %s failed after %d attempt(s): %s", event, request.webhookId(),
                    subscription, retryable.attempts(), retryable.reason());
        } else if (outcome instanceof DeliveryOutcome.Failed failed) {
            LOG.warnf("Delivery of %s %s to subscription %s failed: HTTP %d (not retried inline)", event,
                    request.webhookId(), subscription, failed.status());
        } else if (outcome instanceof DeliveryOutcome.Gone) {
            LOG.warnf("Delivery of %s %s to subscription %s answered HTTP 410 Gone (not retried)", event,
                    request.webhookId(), subscription);
        } else if (outcome instanceof DeliveryOutcome.Rejected rejected) {
            LOG.warnf("Delivery of %s %s to subscription %s rejected: %s", event, request.webhookId(), subscription,
                    rejected.reason());
        } else if (outcome instanceof DeliveryOutcome.DeadlineReached reached) {
            LOG.warnf("Delivery of %s %s to subscription %s stopped after %d attempt(s): %s", event, request.webhookId(),
                    subscription, reached.attempts(), reached.reason());
        }
    }
}
