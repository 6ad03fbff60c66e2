package io.conversationwebhooks.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The machine figures were measured on: CPU model, cores the JVM sees, memory, OS, JDK; and the load average at the
 * moment a figure was taken (another build running at the same time shows there).
 */
public final class Machine {

    private Machine() {
    }

    /** e.g. {@code Intel Xeon @ 2.20GHz, 2 cores, 23 GiB, Linux 6.1 x86_64, JDK 17.0.15}. */
    public static String describe() {
        String cpu = field(Path.of("/proc/cpuinfo"), "model name").map(Machine::shortCpu).orElse(System.getProperty("os.arch"));
        long memKiB = field(Path.of("/proc/meminfo"), "MemTotal").map(v -> Long.parseLong(v.replaceAll("[^0-9]", "")))
                .orElse(0L);
        return String.format(Locale.ROOT, "%s, %d cores, %d GiB, %s %s %s, JDK %s", cpu,
                Runtime.getRuntime().availableProcessors(), Math.round(memKiB / 1024.0 / 1024.0),
                System.getProperty("os.name"), System.getProperty("os.version").replaceAll("^(\\d+\\.\\d+).*", "$1"),
                System.getProperty("os.arch"), System.getProperty("java.version"));
    }

    /** The 1-minute load average now, e.g. {@code 0.42}; {@code ?} when unknown. */
    public static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).split("\\s+")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String shortCpu(String model) {
        return model.replace("(R)", "").replace("(TM)", "").replace(" CPU", "").replace(" Processor", "")
                .replaceAll("\\s+", " ").trim();
    }

    private static Optional<String> field(Path file, String name) {
        try {
            return Files.readAllLines(file, StandardCharsets.US_ASCII).stream().filter(line -> line.startsWith(name))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * CPU time used by processes that are not this JVM or its descendants (another build, say) while a figure is
     * taken: the load average lags by a minute, this does not. Sums user and system time from {@code /proc/<pid>/stat}
     * of processes alive at the end; processes that ended in between are missed.
     */
    public static final class Others {
        private final Map<Long, Long> start;

        private Others(Map<Long, Long> start) {
            this.start = start;
        }

        /** Starts counting. */
        public static Others start() {
            return new Others(others());
        }

        /** CPU seconds others used since {@link #start()}. */
        public double cpuSeconds() {
            long ticks = 0;
            for (Map.Entry<Long, Long> now : others().entrySet()) {
                ticks += now.getValue() - start.getOrDefault(now.getKey(), 0L);
            }
            return ticks / 100.0;
        }

        private static Map<Long, Long> others() {
            Map<Long, Long> parent = new HashMap<>();
            Map<Long, Long> ticks = new HashMap<>();
            try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
                entries.map(path -> path.getFileName().toString()).filter(name -> name.chars().allMatch(Character::isDigit))
                        .forEach(pid -> {
                            try {
                                String stat = Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.US_ASCII);
                                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
                                parent.put(Long.parseLong(pid), Long.parseLong(fields[1]));
                                ticks.put(Long.parseLong(pid), Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                            } catch (IOException | RuntimeException gone) {
                                // the process ended while listing
                            }
                        });
            } catch (IOException e) {
                return Map.of();
            }
            long self = ProcessHandle.current().pid();
            Set<Long> ours = new HashSet<>();
            for (Long pid : parent.keySet()) {
                for (Long p = pid; p != null && p > 1; p = parent.get(p)) {
                    if (p == self) {
                        ours.add(pid);
                        break;
                    }
                }
            }
            ticks.keySet().removeAll(ours);
            return ticks;
        }
    }
}
