package dev.imagejobs.generation.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ByteBudgetTest {
  private final ByteBudget budget = new ByteBudget(100);

  @Test
  void givenSharesThatFit_whenAcquired_thenTheyAreGrantedAtOnce() {
    CompletableFuture<ByteBudget.Share> first = budget.acquire(60);
    CompletableFuture<ByteBudget.Share> second = budget.acquire(40);

    assertThat(first).isCompleted();
    assertThat(second).isCompleted();
    assertThat(budget.available()).isZero();
  }

  @Test
  void givenAShareThatDoesNotFit_whenAnEarlierOneIsReleased_thenItIsGrantedAndAReleaseTwiceCountsOnce() {
    ByteBudget.Share first = budget.acquire(60).join();
    CompletableFuture<ByteBudget.Share> second = budget.acquire(60);
    assertThat(second).isNotDone();

    first.release();
    first.release();

    assertThat(second).succeedsWithin(Duration.ofSeconds(1));
    assertThat(budget.available()).isEqualTo(40);
  }

  @Test
  void givenALargeShareWaiting_whenASmallOneAsksLater_thenTheSmallOneWaitsBehindIt() {
    ByteBudget.Share held = budget.acquire(50).join();
    CompletableFuture<ByteBudget.Share> large = budget.acquire(80);
    CompletableFuture<ByteBudget.Share> small = budget.acquire(10);

    assertThat(small).as("would fit, but the large one came first").isNotDone();
    held.release();

    assertThat(large).isCompleted();
    assertThat(small).isCompleted();
    assertThat(budget.available()).isEqualTo(10);
  }

  @Test
  void givenAWaitingShareThatIsCanceled_thenItGivesUpItsPlaceAndTheNextIsGranted() {
    budget.acquire(50).join();
    CompletableFuture<ByteBudget.Share> large = budget.acquire(80);
    CompletableFuture<ByteBudget.Share> small = budget.acquire(10);

    large.cancel(false);

    assertThat(small).isCompleted();
    assertThat(budget.waiting()).isZero();
    assertThat(budget.available()).isEqualTo(40);
  }

  @Test
  void givenAShareLargerThanTheBudget_thenItIsRefusedInsteadOfWaitingForever() {
    assertThatThrownBy(() -> budget.acquire(101)).isInstanceOf(IllegalArgumentException.class);
    assertThat(budget.available()).isEqualTo(100);
  }
}
