package io.conversationwebhooks.replay;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;

import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.delivery.AddressGuard;
import io.conversationwebhooks.delivery.TargetCheck;
import io.conversationwebhooks.delivery.WebhookClient;
import io.conversationwebhooks.delivery.WebhookSigner;
import io.conversationwebhooks.subscription.Subscription;

/**
 * {@link DeadLetterReplay.Sender} for the replay command, with the JDK's HTTP client: the request of CONTRACT section
 * 6 (same headers and signatures as the function sends), redirects never followed, the address guard applied first.
 */
public final class HttpSender implements DeadLetterReplay.Sender {

    private final HttpClient http;
    private final AddressGuard guard;
    private final Duration timeout;
    private final Clock clock;

    /**
     * @param guard the address guard
     * @param connectTimeout time to connect
     * @param timeout time for the whole request
     * @param clock source of webhook-timestamp
     */
    public HttpSender(AddressGuard guard, Duration connectTimeout, Duration timeout, Clock clock) {
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout).build();
        this.guard = guard;
        this.timeout = timeout;
        this.clock = clock;
    }

    @Override
    public DeadLetterReplay.Attempt send(Subscription subscription, String webhookId, ConversationEvent event, byte[] body) {
        TargetCheck target = guard.check(subscription.url());
        if (!(target instanceof TargetCheck.Allowed allowed)) {
            String reason = target instanceof TargetCheck.Refused refused ? refused.reason()
                    : ((TargetCheck.Unresolved) target).reason();
            return new DeadLetterReplay.Attempt(false, 0, "not sent: " + reason, 0);
        }
        URI uri = allowed.uri();
        long timestamp = clock.instant().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", WebhookClient.CONTENT_TYPE)
                .header(WebhookClient.EVENT, event.eventName())
                .header(WebhookClient.FREESCOUT_SIGNATURE, WebhookSigner.freeScoutSignature(subscription.secret(), body))
                .header(WebhookClient.WEBHOOK_ID, webhookId)
                .header(WebhookClient.WEBHOOK_TIMESTAMP, Long.toString(timestamp))
                .header(WebhookClient.WEBHOOK_SIGNATURE,
                        WebhookSigner.standardSignature(subscription.secret(), webhookId, timestamp, body))
                .header("User-Agent", "conversation-webhooks")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        long started = System.nanoTime();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            long millis = (System.nanoTime() - started) / 1_000_000;
            int status = response.statusCode();
            return new DeadLetterReplay.Attempt(true, status, status >= 200 && status < 300 ? null : "HTTP " + status, millis);
        } catch (IOException e) {
            return new DeadLetterReplay.Attempt(true, 0, e.getClass().getSimpleName(), (System.nanoTime() - started) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new DeadLetterReplay.Attempt(true, 0, "interrupted", 0);
        }
    }
}
