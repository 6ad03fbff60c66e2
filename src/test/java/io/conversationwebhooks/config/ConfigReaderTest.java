package io.conversationwebhooks.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.smallrye.config.SmallRyeConfig;

/** The functions' configuration read without Quarkus, as {@code ./replay.sh} reads it: same names, units, defaults. */
class ConfigReaderTest {

    @Test
    void an_empty_environment_gives_the_documented_defaults() {
        WebhooksConfig config = ConfigReader.read(Map.of()).getConfigMapping(WebhooksConfig.class);

        assertEquals(Duration.ofSeconds(5), config.delivery().timeout());
        assertEquals(Duration.ofSeconds(2), config.delivery().connectTimeout());
        assertEquals(false, config.delivery().allowPrivateNetworks());
        assertEquals(Duration.ofDays(3), config.ledger().deliveriesRetention());
        assertEquals(Duration.ofDays(14), config.ledger().deadLetterRetention());
        assertEquals(Optional.empty(), config.ledger().deliveriesTable());
        assertEquals(Optional.empty(), config.retryQueueUrl());
        assertEquals(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2),
                Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10)), config.retry().schedule());
        assertEquals(Duration.ofSeconds(60), config.stream().budget().functionTimeout());
        assertEquals(Duration.ofSeconds(60), config.retry().budget().functionTimeout());
        assertEquals(List.of(), config.subscriptionSource().subscriptions());
    }

    @Test
    void the_contracts_environment_variables_set_the_keys_in_their_units() {
        SmallRyeConfig read = ConfigReader.read(Map.ofEntries(
                Map.entry("WEBHOOKS_DELIVERY_TIMEOUT", "1500ms"),
                Map.entry("WEBHOOKS_DELIVERY_CONNECT_TIMEOUT", "PT3S"),
                Map.entry("WEBHOOKS_DELIVERIES_TABLE", "deliveries"),
                Map.entry("WEBHOOKS_DELIVERIES_RETENTION", "1d"),
                Map.entry("WEBHOOKS_DEAD_LETTER_RETENTION", "30d"),
                Map.entry("WEBHOOKS_RETRY_QUEUE_URL", "https://sqs.example/q.fifo"),
                Map.entry("WEBHOOKS_STREAM_FUNCTION_TIMEOUT", "120s"),
                Map.entry("WEBHOOKS_RETRY_DEADLINE_MARGIN", "4s"),
                Map.entry("WEBHOOKS_SUBSCRIPTIONS_0__ID", "crm"),
                Map.entry("WEBHOOKS_SUBSCRIPTIONS_0__URL", "https://crm.example/hook"),
                Map.entry("WEBHOOKS_SUBSCRIPTIONS_0__SECRET", "not-a-real-secret"),
                Map.entry("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", "http://127.0.0.1:4566")));
        WebhooksConfig config = read.getConfigMapping(WebhooksConfig.class);

        assertEquals(Duration.ofMillis(1500), config.delivery().timeout());
        assertEquals(Duration.ofSeconds(3), config.delivery().connectTimeout());
        assertEquals(Optional.of("deliveries"), config.ledger().deliveriesTable());
        assertEquals(Duration.ofDays(1), config.ledger().deliveriesRetention());
        assertEquals(Duration.ofDays(30), config.ledger().deadLetterRetention());
        assertEquals(Optional.of("https://sqs.example/q.fifo"), config.retryQueueUrl());
        assertEquals(Duration.ofSeconds(120), config.stream().budget().functionTimeout());
        assertEquals(Duration.ofSeconds(4), config.retry().budget().deadlineMargin());
        assertEquals(Duration.ofSeconds(3), config.stream().budget().deadlineMargin());
        assertEquals(Instant.parse("2026-11-30T12:01:57Z"),
                config.stream().budget().deadline(Instant.parse("2026-11-30T12:00:00Z")));
        assertEquals(List.of("crm"), config.subscriptionSource().subscriptions().stream().map(SubscriptionsConfig.Entry::id)
                .toList());
        assertEquals("https://crm.example/hook", config.subscriptionSource().subscriptions().get(0).url());
        assertEquals(Optional.of(URI.create("http://127.0.0.1:4566")),
                read.getOptionalValue("quarkus.dynamodb.endpoint-override", URI.class));
        assertEquals(Optional.of(Duration.ofSeconds(2)), read.getOptionalValue("quarkus.dynamodb.api-call-timeout",
                Duration.class), "application.properties is read");
    }
}
