package io.storegateway.forward;

import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which HQ failures are transient, which refuse the gateway, which refuse the batch (docs/HQ-PROTOCOL.md). */
class HqFailuresTest {

    private static HttpOperationFailedException answered(int status, String body) {
        return new HttpOperationFailedException("http://hq/api/v1/updates", status, "status " + status, null, Map.of(), body);
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 403})
    void hqRefusingTheGatewayIsAccessDeniedAndDoesNotCountAgainstHq(int status) {
        assertThat(HqFailures.classify(answered(status, ""))).isEqualTo(HqFailures.Kind.ACCESS_DENIED);
        assertThat(HqFailures.countsAgainstHq(answered(status, ""))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 422})
    void hqRefusingTheBatchIsBatchRefusedAndDoesNotCountAgainstHq(int status) {
        assertThat(HqFailures.classify(answered(status, ""))).isEqualTo(HqFailures.Kind.BATCH_REFUSED);
        assertThat(HqFailures.countsAgainstHq(answered(status, ""))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 408, 409, 429, 500, 502, 503, 504})
    void everyOtherStatusIsTransientAndCountsAgainstHq(int status) {
        assertThat(HqFailures.classify(answered(status, ""))).isEqualTo(HqFailures.Kind.TRANSIENT);
        assertThat(HqFailures.countsAgainstHq(answered(status, ""))).isTrue();
    }

    @Test
    void failuresWithoutAnHttpAnswerAreTransient() {
        assertThat(HqFailures.classify(new ConnectException("Connection refused"))).isEqualTo(HqFailures.Kind.TRANSIENT);
        assertThat(HqFailures.classify(new SocketTimeoutException("Read timed out"))).isEqualTo(HqFailures.Kind.TRANSIENT);
        assertThat(HqFailures.classify(new IOException("HQ answered 2 results for 3 updates"))).isEqualTo(HqFailures.Kind.TRANSIENT);
        assertThat(HqFailures.classify(null)).isEqualTo(HqFailures.Kind.TRANSIENT);
        assertThat(HqFailures.countsAgainstHq(new ConnectException("Connection refused"))).isTrue();
    }

    @Test
    void anHttpAnswerIsFoundBehindWrappingExceptions() {
        Exception wrapped = new RuntimeException("route failed", new IllegalStateException("step", answered(422, "")));

        assertThat(HqFailures.classify(wrapped)).isEqualTo(HqFailures.Kind.BATCH_REFUSED);
        assertThat(HqFailures.countsAgainstHq(wrapped)).isFalse();
    }

    @Test
    void theReasonIsHqsJsonMessageOrItsRawBody() {
        assertThat(HqFailures.reasonOf(answered(422, "{\"message\":\"price must be positive\"}")))
                .isEqualTo("HQ answered 422: price must be positive");
        assertThat(HqFailures.reasonOf(answered(400, "not json at all"))).isEqualTo("HQ answered 400: not json at all");
        assertThat(HqFailures.reasonOf(answered(400, ""))).isEqualTo("HQ answered 400");
        assertThat(HqFailures.reasonOf(answered(400, "{\"error\":\"x\"}"))).isEqualTo("HQ answered 400");
    }

    @Test
    void theReasonOfAFailureWithoutAnswerNamesTheException() {
        assertThat(HqFailures.reasonOf(new ConnectException("Connection refused"))).isEqualTo("ConnectException: Connection refused");
        assertThat(HqFailures.reasonOf(null)).isEqualTo("unknown failure");
    }

    @Test
    void aLongReasonIsCutTo500Characters() {
        String reason = HqFailures.reasonOf(answered(400, "x".repeat(2000)));

        assertThat(reason).hasSize(500).startsWith("HQ answered 400: xxx");
    }
}
