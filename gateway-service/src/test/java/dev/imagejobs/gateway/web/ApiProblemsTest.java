package dev.imagejobs.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.lang.reflect.Method;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.method.annotation.ExceptionHandlerMethodResolver;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;
import reactor.test.StepVerifier;

class ApiProblemsTest {
  private final Logger logger = (Logger) LoggerFactory.getLogger(ApiProblems.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void captureLogs() {
    logged.start();
    logger.addAppender(logged);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logged);
  }

  @Test
  void givenTheClientClosedTheConnectionThenNothingIsAnsweredAndNoErrorIsLogged() throws Exception {
    AbortedException gone = AbortedException.beforeSend();
    Method handler = new ExceptionHandlerMethodResolver(ApiProblems.class).resolveMethod(gone);
    MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/api/v1/images/jobs"));

    assertThat(handler).isNotNull();
    handler.setAccessible(true);
    StepVerifier.create((Mono<?>) handler.invoke(new ApiProblems(), gone, exchange))
        .verifyComplete();
    assertThat(logged.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
  }
}
