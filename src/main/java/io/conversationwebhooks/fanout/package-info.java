/**
 * The fan-out stage, where the pipeline joins: a stream record becomes its events, its subscribers and one request per
 * (event, subscriber), delivered in contract order per subscriber and concurrently across subscribers, each settled
 * through the journal. The stream function's {@link io.conversationwebhooks.stream.RecordHandler}.
 */
package io.conversationwebhooks.fanout;
