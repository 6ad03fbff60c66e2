package io.conversationwebhooks.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * What Linux reports about a process ({@code /proc/<pid>/status}, {@code stat}, {@code fd}; see proc(5)): resident
 * memory, CPU time and open file descriptors. Linux only.
 *
 * @param residentKiB {@code VmRSS}: resident set size now, KiB
 * @param peakResidentKiB {@code VmHWM}: the largest resident set size so far, KiB
 * @param cpuMillis user plus system CPU time so far, ms (clock-tick resolution, usually 10 ms)
 * @param openFiles open file descriptors now (sockets included)
 * @param threads threads now
 */
public record ProcessStats(long residentKiB, long peakResidentKiB, long cpuMillis, int openFiles, int threads) {

    private static final long TICKS_PER_SECOND = clockTicks();

    /** Reads the stats of a live process. */
    public static ProcessStats of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            long rss = 0;
            long hwm = 0;
            int threads = 0;
            for (String line : Files.readAllLines(proc.resolve("status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line);
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring("Threads:".length()).trim());
                }
            }
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.UTF_8);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            int fds;
            try (Stream<Path> entries = Files.list(proc.resolve("fd"))) {
                fds = (int) entries.count();
            }
            return new ProcessStats(rss, hwm, ticks * 1000 / TICKS_PER_SECOND, fds, threads);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + " (process gone, or not Linux?)", e);
        }
    }

    /**
     * Samples a process every {@code periodMillis} on a daemon thread until closed, keeping the largest open-file
     * and thread counts seen (the peak resident size is the kernel's own {@code VmHWM}).
     */
    public static final class PeakSampler implements AutoCloseable {
        private final AtomicLong maxOpenFiles = new AtomicLong();
        private final AtomicInteger maxThreads = new AtomicInteger();
        private final Thread thread;
        private volatile boolean running = true;

        public PeakSampler(long pid, long periodMillis) {
            thread = new Thread(() -> {
                while (running) {
                    try {
                        ProcessStats now = of(pid);
                        maxOpenFiles.accumulateAndGet(now.openFiles(), Math::max);
                        maxThreads.accumulateAndGet(now.threads(), Math::max);
                        TimeUnit.MILLISECONDS.sleep(periodMillis);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException gone) {
                        return;
                    }
                }
            }, "peak-sampler-" + pid);
            thread.setDaemon(true);
            thread.start();
        }

        /** The largest open-file count seen so far. */
        public long maxOpenFiles() {
            return maxOpenFiles.get();
        }

        /** The largest thread count seen so far. */
        public int maxThreads() {
            return maxThreads.get();
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    private static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the Linux default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
