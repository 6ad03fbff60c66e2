package io.conversationwebhooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

class InFlightLimitTest {

    /** Tasks whose completion the test controls. */
    private final List<UniEmitter<? super String>> pending = new CopyOnWriteArrayList<>();

    private Uni<String> controlled() {
        return Uni.createFrom().emitter(pending::add);
    }

    @Test
    void should_start_waiting_tasks_in_order_as_running_ones_end() {
        // given
        InFlightLimit limit = new InFlightLimit(3);
        List<String> results = new CopyOnWriteArrayList<>();

        // when
        for (int i = 0; i < 10; i++) {
            limit.run(this::controlled).subscribe().with(results::add);
        }

        // then
        assertEquals(3, pending.size());
        assertEquals(3, limit.running());
        for (int done = 0; done < 10; done++) {
            pending.get(done).complete("task " + done);
            assertEquals(Math.min(10, done + 4), pending.size(), "tasks started after " + (done + 1) + " ended");
        }
        assertEquals(0, limit.running());
        assertEquals(10, results.size());
        assertEquals("task 9", results.get(9));
    }

    @Test
    void should_free_the_place_of_a_task_that_fails_or_throws() {
        // given
        InFlightLimit limit = new InFlightLimit(1);
        List<Throwable> failures = new ArrayList<>();
        List<String> results = new ArrayList<>();

        // when
        limit.<String> run(() -> Uni.createFrom().failure(new IllegalStateException("HTTP 503")))
                .subscribe().with(results::add, failures::add);
        limit.<String> run(() -> {
            throw new IllegalArgumentException("bad request");
        }).subscribe().with(results::add, failures::add);
        limit.run(() -> Uni.createFrom().item("delivered")).subscribe().with(results::add, failures::add);

        // then
        assertEquals(List.of("HTTP 503", "bad request"), failures.stream().map(Throwable::getMessage).toList());
        assertEquals(List.of("delivered"), results);
        assertEquals(0, limit.running());
    }

    @Test
    void should_never_start_a_waiting_task_that_was_cancelled() {
        // given
        InFlightLimit limit = new InFlightLimit(1);
        AtomicInteger created = new AtomicInteger();
        limit.run(this::controlled).subscribe().with(item -> {
        });
        Cancellable waiting = limit.run(() -> {
            created.incrementAndGet();
            return Uni.createFrom().item("too late");
        }).subscribe().with(item -> {
        });

        // when
        waiting.cancel();
        pending.get(0).complete("first");

        // then
        assertEquals(0, created.get());
        assertEquals(0, limit.running());
    }

    @Test
    void should_cancel_a_running_task_and_free_its_place() {
        // given
        InFlightLimit limit = new InFlightLimit(1);
        AtomicInteger cancelledTasks = new AtomicInteger();
        Cancellable running = limit.run(() -> controlled().onCancellation().invoke(cancelledTasks::incrementAndGet))
                .subscribe().with(item -> {
                });

        // when
        running.cancel();

        // then
        assertEquals(1, cancelledTasks.get());
        assertEquals(0, limit.running());
    }

    @Test
    void should_keep_the_bound_under_concurrent_submissions_and_completions() throws Exception {
        // given
        int max = 16;
        int tasks = 4_000;
        InFlightLimit limit = new InFlightLimit(max);
        AtomicInteger now = new AtomicInteger();
        AtomicInteger highest = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(8);

        // when
        try {
            for (int i = 0; i < tasks; i++) {
                threads.execute(() -> limit.run(() -> Uni.createFrom().item(() -> {
                    highest.accumulateAndGet(now.incrementAndGet(), Math::max);
                    return "ok";
                }).emitOn(threads).invoke(now::decrementAndGet)).subscribe().with(item -> done.incrementAndGet()));
            }
            long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (done.get() < tasks && System.nanoTime() < giveUp) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
        } finally {
            threads.shutdownNow();
        }

        // then
        assertEquals(tasks, done.get());
        assertTrue(highest.get() <= max, "at most " + max + " at once, saw " + highest.get());
        assertEquals(0, limit.running());
    }
}
