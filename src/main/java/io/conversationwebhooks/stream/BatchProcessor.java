package io.conversationwebhooks.stream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.conversationwebhooks.operations.LogFields;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.TimeoutException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/**
 * Processes a DynamoDB Streams batch and decides which records Lambda must retry
 * (<a href="https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html">batch item
 * failures</a>, CONTRACT section 7).
 *
 * <p>Why the whole batch is taken instead of Funqy's per-record handling: Funqy runs records concurrently and in no
 * order, but webhooks of one conversation must reach each subscriber in stream order. So records are grouped by
 * conversation; each group runs one record after the other, and groups run concurrently up to a bound.
 *
 * <p>The checkpoint rule: Lambda resumes the shard from the lowest reported sequence number. When a record of a
 * conversation fails, the later records of that conversation in the batch are not attempted (that would overtake
 * the failed one) and are reported too; other conversations go on. A malformed record is logged with its eventID
 * and sequence number, counted and skipped: it is never reported, since no retry can cure it, and it never holds
 * back its conversation.
 */
public final class BatchProcessor {

    private static final Logger LOG = Logger.getLogger(BatchProcessor.class);

    /** How long past the deadline the batch waits for attempts that ended at the deadline to report it. */
    static final Duration COMPLETION_GRACE = Duration.ofMillis(500);

    private final int maxConcurrentConversations;
    private final Clock clock;

    /**
     * @param maxConcurrentConversations most conversations in flight at once, at least 1
     * @param clock time source for the deadline
     */
    public BatchProcessor(int maxConcurrentConversations, Clock clock) {
        if (maxConcurrentConversations < 1) {
            throw new IllegalArgumentException("maxConcurrentConversations must be at least 1");
        }
        this.maxConcurrentConversations = maxConcurrentConversations;
        this.clock = clock;
    }

    /**
     * The records of a batch, decoded; malformed ones are logged with their eventID and sequence number and counted.
     *
     * @param records the well-formed records, in stream order
     * @param size records in the batch, malformed included
     * @param malformed records that can never be processed
     */
    @RegisterForReflection
    @JsonDeserialize(using = StreamsEvent.DecodingDeserializer.class)
    public record DecodedBatch(List<StreamRecord> records, int size, int malformed) {

        /** Sequence numbers of the well-formed records, in stream order. */
        public List<String> sequenceNumbers() {
            return records.stream().map(StreamRecord::sequenceNumber).toList();
        }
    }

    /**
     * Decodes records one at a time, in stream order, so that a record's JSON tree can be dropped as soon as it is
     * decoded (see {@link StreamsEvent.DecodingDeserializer}). Never throws for a bad record.
     */
    public static final class Decoder {
        private final List<StreamRecord> records = new ArrayList<>();
        private int size;
        private int malformed;

        /** Decodes the next record of the batch, or logs and counts it as malformed. */
        public void add(JsonNode raw) {
            size++;
            try {
                records.add(StreamRecordDecoder.decode(raw));
            } catch (MalformedRecordException e) {
                logMalformed(e);
                malformed++;
            } catch (RuntimeException e) {
                LOG.errorf(e, "Skipping a stream record that cannot be decoded");
                malformed++;
            }
        }

        /** The records decoded so far. */
        public DecodedBatch batch() {
            return new DecodedBatch(List.copyOf(records), size, malformed);
        }
    }

    /**
     * Processes the decoded batch; blocks until every record is done or the deadline has passed.
     *
     * @param batch the decoded batch
     * @param handler does each record's work
     * @param deadline when the invocation must answer; records not finished shortly after it are reported for retry
     * @return the result; never null
     */
    public BatchResult process(DecodedBatch batch, RecordHandler handler, Instant deadline) {
        List<StreamRecord> records = batch.records();
        int malformed = batch.malformed();
        int total = batch.size();
        if (records.isEmpty()) {
            return new BatchResult(List.of(), total, malformed, 0, 0);
        }
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            position.put(records.get(i).sequenceNumber(), i);
        }

        Map<String, List<StreamRecord>> conversations = new LinkedHashMap<>();
        for (StreamRecord record : records) {
            conversations.computeIfAbsent(record.orderingKey(), key -> new ArrayList<>()).add(record);
        }
        List<ConversationProgress> progress = conversations.values().stream().map(ConversationProgress::new).toList();
        try {
            handler.prepare(records);
        } catch (RuntimeException e) {
            LOG.warnf(e, "Preparing the batch failed; its records are handled one by one");
        }
        // Attempts never outlast the deadline; the grace only covers their completion signals. If it still passes,
        // conversations that finished keep their outcome and the others are reported from their first unfinished
        // record on.
        Duration wait = Duration.between(clock.instant(), deadline).plus(COMPLETION_GRACE);
        try {
            Multi.createFrom().iterable(progress)
                    .onItem().transformToUni(conversation -> processConversation(conversation, handler))
                    .merge(maxConcurrentConversations)
                    .collect().last()
                    .await().atMost(wait.isNegative() ? Duration.ZERO : wait);
        } catch (TimeoutException e) {
            LOG.errorf("Batch did not finish by the deadline; unfinished records will be retried");
        }
        Duration left = Duration.between(clock.instant(), deadline).plus(COMPLETION_GRACE);
        try {
            handler.finished().await().atMost(left.isNegative() ? Duration.ZERO : left);
        } catch (TimeoutException e) {
            LOG.errorf("The batch's bookkeeping did not finish by the deadline; a redelivery of its records would "
                    + "repeat what it did not record");
        } catch (RuntimeException e) {
            LOG.errorf(e, "The batch's bookkeeping failed; a redelivery of its records would repeat what it did not "
                    + "record");
        }

        List<String> failures = new ArrayList<>();
        int failed = 0;
        int unfinished = 0;
        for (ConversationProgress conversation : progress) {
            synchronized (conversation) {
                failures.addAll(conversation.failed);
                failures.addAll(conversation.unfinished());
                failed += conversation.failed.size();
                unfinished += conversation.unfinished().size();
                malformed += conversation.malformed;
            }
        }
        failures.sort(Comparator.comparing(position::get));
        return new BatchResult(List.copyOf(failures), total, malformed, failed, unfinished);
    }

    /**
     * Where one conversation's records stand. Records finish in order, so the finished ones are a prefix; the
     * others (held back after a failure, or still running at the deadline) are all reported.
     */
    private static final class ConversationProgress {
        private final List<StreamRecord> records;
        private final List<String> failed = new ArrayList<>();
        private int finished;
        private int malformed;

        ConversationProgress(List<StreamRecord> records) {
            this.records = records;
        }

        synchronized boolean blocked() {
            return !failed.isEmpty();
        }

        synchronized void handled(RecordHandler.Outcome outcome, StreamRecord record) {
            if (outcome == RecordHandler.Outcome.FAILED) {
                failed.add(record.sequenceNumber());
            }
            finished++;
        }

        synchronized void failed(StreamRecord record) {
            failed.add(record.sequenceNumber());
            finished++;
        }

        synchronized void malformed() {
            malformed++;
            finished++;
        }

        synchronized List<String> unfinished() {
            return records.subList(finished, records.size()).stream().map(StreamRecord::sequenceNumber).toList();
        }
    }

    private Uni<Void> processConversation(ConversationProgress conversation, RecordHandler handler) {
        return Multi.createFrom().iterable(conversation.records)
                .onItem().transformToUniAndConcatenate(record -> {
                    if (conversation.blocked()) {
                        return Uni.createFrom().voidItem();
                    }
                    return safely(handler, record)
                            .invoke(outcome -> conversation.handled(outcome, record))
                            .onFailure(MalformedRecordException.class).recoverWithItem(e -> {
                                LogFields.with(record.conversationId(), null, null,
                                        () -> logMalformed((MalformedRecordException) e));
                                conversation.malformed();
                                return null;
                            }).onFailure().recoverWithItem(e -> {
                                LogFields.with(record.conversationId(), null, null, () -> LOG.errorf(e,
                                        "Record %s (sequence number %s) failed", record.eventId(),
                                        record.sequenceNumber()));
                                conversation.failed(record);
                                return null;
                            }).replaceWithVoid();
                })
                .collect().last()
                .replaceWithVoid();
    }

    private static Uni<RecordHandler.Outcome> safely(RecordHandler handler, StreamRecord record) {
        try {
            return handler.handle(record);
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
    }

    private static void logMalformed(MalformedRecordException e) {
        LOG.errorf("Skipping malformed stream record eventID=%s SequenceNumber=%s: %s", e.eventId(), e.sequenceNumber(),
                e.getMessage());
    }
}
