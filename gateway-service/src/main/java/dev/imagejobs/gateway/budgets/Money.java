package dev.imagejobs.gateway.budgets;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** USD in the API, micro-dollars in the database and the events. */
public final class Money {
  private static final BigDecimal MICROS_PER_USD = BigDecimal.valueOf(1_000_000);

  private Money() {}

  public static BigDecimal usd(long micros) {
    BigDecimal usd = BigDecimal.valueOf(micros).divide(MICROS_PER_USD, 6, RoundingMode.UNNECESSARY).stripTrailingZeros();
    // 10 rather than 1E+1.
    return usd.scale() < 0 ? usd.setScale(0) : usd;
  }

  /** @throws ArithmeticException when {@code usd} has more than six decimals */
  public static long micros(BigDecimal usd) {
    return usd.multiply(MICROS_PER_USD).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
  }
}
