package io.conversationwebhooks.delivery;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * A Netty handler between the HTTP/1.1 decoder and Vert.x's connection handler of a webhook connection, so that Vert.x
 * sees only final responses (CONTRACT section 6):
 * <ul>
 * <li>Drops every interim response, 1xx other than 101 (RFC 9110 section 15.2: "A client MUST be able to parse one or
 * more 1xx responses received prior to a final response, even if the client does not expect one"). Vert.x 4.5 handles
 * 100 and 103 itself and takes any other 1xx, such as {@code 102 Processing}, as the final response. A 101 is not
 * interim: the request asked for no protocol switch, so it stays a final status, and a failure.</li>
 * <li>Turns a final status line followed by the connection closing, before its header section ended, into that status
 * with no headers and no body: the status line is the receiver's answer, however the rest of its response was cut.
 * Netty reports it as a decoding failure, which Vert.x would turn into a failed request.</li>
 * </ul>
 * One instance per connection, installed by {@link #install} before the connection's first request is sent; not
 * sharable. Runs on the connection's event loop only.
 */
final class InterimResponses extends ChannelInboundHandlerAdapter {

    private static final String NAME = "webhooks-interim-responses";

    /** Inside an interim response: its content (always empty, RFC 9110) is dropped up to its last part. */
    private boolean skipping;

    /**
     * Installs the handler on the connection's pipeline, once; a connection that is not Vert.x's own Netty connection
     * is left as it is.
     *
     * @param connection the connection of a request not sent yet ({@code HttpClientRequest.connection()})
     */
    static void install(HttpConnection connection) {
        if (!(connection instanceof ConnectionBase base)) {
            return;
        }
        ChannelHandlerContext vertxHandler = base.channelHandlerContext();
        ChannelPipeline pipeline = vertxHandler.pipeline();
        if (pipeline.get(NAME) == null) {
            try {
                pipeline.addBefore(vertxHandler.name(), NAME, new InterimResponses());
            } catch (IllegalArgumentException alreadyThere) {
                // installed meanwhile by another request of this connection
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (message instanceof HttpResponse response) {
            int code = response.status().code();
            if (response.decoderResult().isSuccess() && code >= 100 && code < 200 && code != 101) {
                skipping = !(message instanceof LastHttpContent);
                ReferenceCountUtil.release(message);
                return;
            }
            if (response.decoderResult().cause() instanceof PrematureChannelClosureException && code >= 200
                    && code <= 599) {
                ReferenceCountUtil.release(message);
                ctx.fireChannelRead(new DefaultHttpResponse(response.protocolVersion(), response.status()));
                ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
        } else if (skipping && message instanceof HttpContent) {
            skipping = !(message instanceof LastHttpContent);
            ReferenceCountUtil.release(message);
            return;
        }
        ctx.fireChannelRead(message);
    }
}
