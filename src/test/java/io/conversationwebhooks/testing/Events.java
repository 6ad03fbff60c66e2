package io.conversationwebhooks.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The sample events of {@code events/} (the files users pass to {@code sam local invoke -e}). */
public final class Events {

    private Events() {
    }

    /** The text of {@code events/<name>}. */
    public static String read(String name) {
        try {
            return Files.readString(Path.of("events", name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read events/" + name, e);
        }
    }
}
