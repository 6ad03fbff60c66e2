package io.conversationwebhooks.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.conversationwebhooks.change.ChangeDetector;
import io.conversationwebhooks.change.ConversationEvent;
import io.conversationwebhooks.delivery.AddressGuard;
import io.conversationwebhooks.delivery.ConversationPayload;
import io.conversationwebhooks.delivery.RetryPolicy;
import io.conversationwebhooks.delivery.WebhookClient;
import io.conversationwebhooks.delivery.WebhookDispatcher;
import io.conversationwebhooks.delivery.WebhookResponse;
import io.conversationwebhooks.delivery.WebhookIds;
import io.conversationwebhooks.delivery.WebhookSigner;
import io.conversationwebhooks.fanout.WebhookDeliveries;
import io.conversationwebhooks.settlement.PassThroughJournal;
import io.conversationwebhooks.stream.BatchProcessor;
import io.conversationwebhooks.stream.RecordHandler;
import io.conversationwebhooks.stream.StreamRecord;
import io.conversationwebhooks.stream.StreamsEvent;
import io.conversationwebhooks.subscription.Subscription;
import io.conversationwebhooks.subscription.SubscriptionHealth;
import io.conversationwebhooks.subscription.WebhookSecret;
import io.smallrye.mutiny.Uni;

/**
 * CPU per delivery, with JMH: what the function computes for one stream record and each of its subscribers, on
 * realistic conversation items ({@link ConversationBatch.Items#REALISTIC}, about 2 KB per image).
 *
 * <p>{@link #perDelivery} is the function's own path minus the network: the record's JSON is read the way Funqy
 * reads and decodes the batch (the function's {@link StreamsEvent.DecodingDeserializer}), its events detected, and {@link WebhookDeliveries} builds the
 * body once, derives the webhook-ids and has {@link WebhookDispatcher} sign and send one request per subscriber to a
 * client that answers 204 at once. JMH divides by the {@value #SUBSCRIBERS} subscribers, so the score is per
 * (record x subscriber). The other benchmarks split that cost into its stages (per record, or per delivery for
 * signing). Run by {@code ./bench.sh} (not by the test suite).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DeliveryCpuBenchmark {

    /** Subscribers per record in {@link #perDelivery}. */
    public static final int SUBSCRIBERS = 5;

    private static final int VARIANTS = 256;
    private static final ObjectMapper FUNQY_READER = new ObjectMapper();

    private byte[][] events;
    private StreamRecord[] records;
    private byte[][] bodies;
    private RecordHandler deliveries;
    private WebhookSecret secret;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        ConversationBatch batch = ConversationBatch.generate(1000, 200, ConversationBatch.Items.REALISTIC, 42);
        events = new byte[VARIANTS][];
        records = new StreamRecord[VARIANTS];
        bodies = new byte[VARIANTS][];
        int step = batch.records() / VARIANTS;
        for (int i = 0; i < VARIANTS; i++) {
            events[i] = batch.singleRecordEvent(i * step);
            records[i] = decode(events[i]);
            bodies[i] = ConversationPayload.toJson(records[i].currentImage());
        }
        secret = WebhookSecret.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        List<Subscription> subscriptions = new java.util.ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            subscriptions.add(new Subscription("bench-" + i, "http://127.0.0.1:" + (20_000 + i) + "/webhook", Set.of(),
                    Set.of(), secret, true));
        }
        WebhookClient answersAtOnce = (uri, headers, body, timeout) -> Uni.createFrom()
                .item(() -> new WebhookResponse(204, Optional.empty(), 0));
        AddressGuard guard = new AddressGuard(true, InetAddress::getAllByName);
        WebhookDispatcher dispatcher = new WebhookDispatcher(answersAtOnce, guard,
                new RetryPolicy(3, Duration.ofMillis(250), Duration.ofSeconds(2), new Random(1)), Duration.ofSeconds(5),
                Clock.systemUTC());
        deliveries = new WebhookDeliveries(() -> subscriptions, guard, dispatcher,
                new PassThroughJournal(SubscriptionHealth.NONE))
                .forBatch(Instant.now().plus(Duration.ofDays(1)));
    }

    private static StreamRecord decode(byte[] event) throws IOException {
        return FUNQY_READER.readValue(event, BatchProcessor.DecodedBatch.class).records().get(0);
    }

    private int nextIndex() {
        next = (next + 1) & (VARIANTS - 1);
        return next;
    }

    /** Read + decode + detect + serialise + sign + dispatch, per (record x subscriber). */
    @Benchmark
    @OperationsPerInvocation(SUBSCRIBERS)
    public RecordHandler.Outcome perDelivery() throws IOException {
        StreamRecord record = decode(events[nextIndex()]);
        return deliveries.handle(record).await().indefinitely();
    }

    /** Reading one record's JSON and decoding it, per record. */
    @Benchmark
    public StreamRecord stageDecode() throws IOException {
        return decode(events[nextIndex()]);
    }

    /** Change detection, per record. */
    @Benchmark
    public List<ConversationEvent> stageDetect() {
        return ChangeDetector.detect(records[nextIndex()]);
    }

    /** Serialising the webhook body, per record. */
    @Benchmark
    public byte[] stageSerialise() {
        return ConversationPayload.toJson(records[nextIndex()].currentImage());
    }

    /** The webhook-id alone, per delivery. */
    @Benchmark
    public String stageWebhookId() {
        return WebhookIds.webhookId(records[nextIndex()], ConversationEvent.STATUS);
    }

    /** The webhook-id and both signatures, per delivery. */
    @Benchmark
    public String stageSign() {
        int i = nextIndex();
        String webhookId = WebhookIds.webhookId(records[i], ConversationEvent.STATUS);
        String freeScout = WebhookSigner.freeScoutSignature(secret, bodies[i]);
        String standard = WebhookSigner.standardSignature(secret, webhookId, 1_796_000_000L, bodies[i]);
        return freeScout.length() > standard.length() ? freeScout : standard;
    }
}
