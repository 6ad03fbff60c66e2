package io.conversationwebhooks.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webhook receiver on a plain {@link ServerSocket}, for failures an HTTP server library will not produce: it reads
 * each request (HTTP/1.1, {@code Content-Length} body), records it, then either answers {@code 204}, resets the
 * connection without any answer (SO_LINGER 0, so the client sees a TCP RST), answers nothing at all, or writes what a
 * {@link Responder} writes: interim 1xx responses, bodies that trickle, never end, are huge or are cut short
 * ({@link #interimThen}, {@link #chunkedTrickle}, {@link #chunkedBody}, {@link #raw}). Bytes of response bodies
 * written are counted ({@link #bodyBytesWritten()}), so a test can tell how much of a body the client read.
 */
public final class RawReceiver implements AutoCloseable {

    /** Writes an answer to a request on its connection, which is closed when it returns. */
    @FunctionalInterface
    public interface Responder {
        /**
         * @param socket the request's connection
         * @param bodyBytes counts the response body bytes written
         */
        void respond(Socket socket, AtomicLong bodyBytes) throws IOException, InterruptedException;
    }

    /** What to do with a request. */
    public enum Behaviour implements Responder {
        /** Close the connection with a reset, without answering. */
        RESET,
        /** Answer {@code 204 No Content} and close. */
        NO_CONTENT,
        /** Answer nothing and keep the connection open until the client closes it (at most a minute). */
        SILENT;

        @Override
        public void respond(Socket socket, AtomicLong bodyBytes) {
            throw new UnsupportedOperationException("handled by the receiver");
        }
    }

    /** One request as read. Header names are lower-cased. */
    public record Request(String requestLine, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final ServerSocket server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new ArrayList<>();
    private final Deque<Responder> script = new ArrayDeque<>();
    private final AtomicLong bodyBytesWritten = new AtomicLong();
    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final Semaphore closedByClient = new Semaphore(0);

    private RawReceiver(ServerSocket server) {
        this.server = server;
    }

    /** Starts on 127.0.0.1 and a free port. */
    public static RawReceiver start() {
        try {
            RawReceiver receiver = new RawReceiver(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            receiver.executor.execute(receiver::acceptLoop);
            return receiver;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start raw receiver", e);
        }
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    /** Handles the next requests this way, in order; then {@link Behaviour#NO_CONTENT}. */
    public synchronized void script(Responder... behaviours) {
        script.addAll(List.of(behaviours));
    }

    /** Response body bytes the responders wrote since the last {@link #reset()} (accepted by the kernel, not read). */
    public long bodyBytesWritten() {
        return bodyBytesWritten.get();
    }

    /** Connections accepted since the receiver started, whether a request came on them or not. */
    public long connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /**
     * Interim responses, each {@code pause} after the one before, then the final response.
     *
     * @param pause time before each interim response and before the final one
     * @param finalResponse the final response, head and body, e.g. {@code "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"}
     * @param interimStatusLines e.g. {@code "HTTP/1.1 102 Processing"}; each is sent with an empty header section
     */
    public static Responder interimThen(Duration pause, String finalResponse, String... interimStatusLines) {
        return (socket, bodyBytes) -> {
            OutputStream out = socket.getOutputStream();
            for (String interim : interimStatusLines) {
                Thread.sleep(pause.toMillis());
                out.write((interim + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            Thread.sleep(pause.toMillis());
            out.write(finalResponse.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        };
    }

    /**
     * {@code 200 OK} with a chunked body at once, then one chunk of {@code chunkBytes} every {@code every} for
     * {@code total}, then the last chunk; stops when the client closes the connection.
     */
    public static Responder chunkedTrickle(int chunkBytes, Duration every, Duration total) {
        return (socket, bodyBytes) -> {
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] chunk = chunk(chunkBytes);
            long end = System.nanoTime() + total.toNanos();
            while (System.nanoTime() < end) {
                Thread.sleep(every.toMillis());
                out.write(chunk);
                out.flush();
                bodyBytes.addAndGet(chunkBytes);
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        };
    }

    /**
     * {@code 200 OK} with a chunked body of {@code totalBytes}, written as fast as the client reads it, in chunks of
     * 64 KiB; stops when the client closes the connection.
     */
    public static Responder chunkedBody(long totalBytes) {
        return (socket, bodyBytes) -> {
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            int size = 64 * 1024;
            byte[] chunk = chunk(size);
            long written = 0;
            while (written < totalBytes) {
                out.write(chunk);
                written += size;
                bodyBytes.addAndGet(size);
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        };
    }

    /**
     * Writes exactly this text (ISO-8859-1), then keeps the connection open for {@code thenOpen} (until the client
     * closes it, if that comes first) before closing it.
     */
    public static Responder raw(String text, Duration thenOpen) {
        return (socket, bodyBytes) -> {
            OutputStream out = socket.getOutputStream();
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (!thenOpen.isZero()) {
                socket.setSoTimeout((int) thenOpen.toMillis());
                try {
                    while (socket.getInputStream().read() >= 0) {
                        // the client sends nothing more; anything it does is ignored
                    }
                } catch (SocketTimeoutException e) {
                    // open as long as asked
                }
            }
        };
    }

    private static byte[] chunk(int size) {
        byte[] head = (Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = new byte[head.length + size + 2];
        System.arraycopy(head, 0, chunk, 0, head.length);
        Arrays.fill(chunk, head.length, head.length + size, (byte) 'x');
        chunk[chunk.length - 2] = '\r';
        chunk[chunk.length - 1] = '\n';
        return chunk;
    }

    /** Requests read so far, in arrival order. */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Forgets requests and script. */
    public synchronized void reset() {
        requests.clear();
        script.clear();
        bodyBytesWritten.set(0);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connectionsAccepted.incrementAndGet();
                executor.execute(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            Request request = read(socket.getInputStream());
            if (request == null) {
                return;
            }
            Responder behaviour;
            synchronized (this) {
                requests.add(request);
                behaviour = script.isEmpty() ? Behaviour.NO_CONTENT : script.poll();
            }
            if (!(behaviour instanceof Behaviour)) {
                behaviour.respond(socket, bodyBytesWritten);
                return;
            }
            if (behaviour == Behaviour.RESET) {
                socket.setSoLinger(true, 0);
                return;
            }
            if (behaviour == Behaviour.SILENT) {
                socket.setSoTimeout(60_000);
                awaitClientClose(socket.getInputStream());
                return;
            }
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 204 No Content\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for the client to close (or reset) a connection kept open by {@link Behaviour#SILENT}.
     *
     * @return false when no such connection was closed within the timeout
     */
    public boolean awaitClosedByClient(Duration timeout) throws InterruptedException {
        return closedByClient.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void awaitClientClose(InputStream in) {
        try {
            while (in.read() >= 0) {
                // the client sends nothing more; anything it does is ignored
            }
            closedByClient.release();
        } catch (SocketTimeoutException e) {
            // still open after a minute: not closed by the client
        } catch (IOException e) {
            closedByClient.release();
        }
    }

    private static Request read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = { '\r', '\n', '\r', '\n' };
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Request(lines[0], headers, body);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        executor.shutdownNow();
    }
}
