package dev.imagejobs.gateway.budgets;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;

/**
 * A project's budget to set.
 *
 * @param amountUsd what may be spent, in USD with at most six decimals (micro-dollars)
 * @param monthlyReset whether spending starts again from zero each calendar month (UTC)
 */
public record BudgetRequest(
    @NotNull @DecimalMin(value = "0", message = "must not be negative")
    @Digits(integer = 12, fraction = 6, message = "must have at most 12 digits and 6 decimals") BigDecimal amountUsd,
    boolean monthlyReset) {}
