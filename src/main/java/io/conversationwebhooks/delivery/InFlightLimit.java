package io.conversationwebhooks.delivery;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Bounds the webhook requests in flight in this container, across subscribers and conversations.
 *
 * <p>Each request holds a TCP connection, which is a file descriptor, and a Lambda execution environment has 1,024 of
 * them (<a href="https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html">Lambda quotas</a>), of which
 * the JVM itself holds about 170 (jars, epoll, pipes). Without a global bound the requests in flight grow with the
 * subscriber count (conversations in flight times subscribers, each host capped only by its own pool), so a few dozen
 * subscribers would exhaust the descriptors and fail deliveries with "too many open files".
 *
 * <p>A task past the bound waits, without holding a thread, until a running one ends; waiting tasks start in arrival
 * order. Cancelling the returned Uni cancels a running task, and a waiting one never starts (so nothing is sent after
 * an invocation gave up on it). Non-blocking and thread-safe.
 */
public final class InFlightLimit {

    private final int max;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger drainers = new AtomicInteger();
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    /** @param max most tasks running at once, at least 1 */
    public InFlightLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        this.max = max;
    }

    /**
     * Runs a task when fewer than {@code max} run: the task's Uni is created and subscribed only then, and its end
     * (item, failure or cancellation) frees the place.
     *
     * @param task creates the work; called once, on the thread that frees a place or subscribes
     * @return the task's outcome
     */
    public <T> Uni<T> run(Supplier<Uni<T>> task) {
        return Uni.createFrom().deferred(() -> {
            AtomicBoolean cancelled = new AtomicBoolean();
            AtomicReference<Cancellable> started = new AtomicReference<>();
            return Uni.createFrom().<T> emitter(emitter -> {
                waiting.add(() -> {
                    if (cancelled.get()) {
                        release();
                        return;
                    }
                    Uni<T> work;
                    try {
                        work = task.get();
                    } catch (RuntimeException e) {
                        release();
                        emitter.fail(e);
                        return;
                    }
                    started.set(work.onTermination().invoke(this::release)
                            .subscribe().with(emitter::complete, emitter::fail));
                    if (cancelled.get()) {
                        started.get().cancel();
                    }
                });
                drain();
            }).onCancellation().invoke(() -> {
                cancelled.set(true);
                Cancellable subscription = started.get();
                if (subscription != null) {
                    subscription.cancel();
                }
            });
        });
    }

    /** Tasks running now. */
    public int running() {
        return running.get();
    }

    private void release() {
        running.decrementAndGet();
        drain();
    }

    // One thread at a time starts waiting tasks; a drain requested meanwhile makes it loop again, so no place is left
    // unused and a task that ends at once cannot recurse into here.
    private void drain() {
        if (drainers.getAndIncrement() != 0) {
            return;
        }
        do {
            while (!waiting.isEmpty()) {
                int now = running.get();
                if (now >= max) {
                    break;
                }
                if (!running.compareAndSet(now, now + 1)) {
                    continue;
                }
                Runnable next = waiting.poll();
                if (next == null) {
                    running.decrementAndGet();
                    continue;
                }
                next.run();
            }
        } while (drainers.decrementAndGet() != 0);
    }
}
