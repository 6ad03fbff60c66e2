package io.conversationwebhooks.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

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
}
