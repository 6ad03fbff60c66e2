package io.conversationwebhooks.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures what the process prints to {@code System.out} while a piece of code runs (EMF metric lines go there, as
 * they go to the function's log in Lambda), still passing it on to the real stdout.
 */
public final class Stdout {

    private Stdout() {
    }

    /** Runs {@code work} and returns what was printed meanwhile (UTF-8). */
    public static synchronized String capture(Runnable work) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                captured.write(b);
                original.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                captured.write(bytes, offset, length);
                original.write(bytes, offset, length);
            }
        }, true, StandardCharsets.UTF_8);
        System.setOut(tee);
        try {
            work.run();
        } finally {
            System.setOut(original);
            tee.flush();
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
