package dev.imagejobs.gateway.budgets;

import dev.imagejobs.gateway.security.Tenant;
import dev.imagejobs.gateway.web.Ids;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** A project's cost budget: set it, read what is spent, reserved and left. */
@RestController
@Validated
class BudgetsController {
  static final String BUDGET = "/api/v1/images/budgets/{projectId}";

  private final Budgets budgets;

  BudgetsController(Budgets budgets) {
    this.budgets = budgets;
  }

  @Operation(summary = "Set a project's budget", description = "Creations and retries of the project's jobs then "
      + "reserve their estimated cost, and are refused with 402 when it does not fit; spending so far stays.")
  @ApiResponse(responseCode = "200", description = "The budget as it stands now")
  @PutMapping(path = BUDGET, consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<BudgetView> put(@PathVariable @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String projectId,
      @Valid @RequestBody BudgetRequest body, Tenant tenant) {
    return budgets.put(tenant.id(), projectId, body.amountUsd(), body.monthlyReset(), body.thresholdsPercent());
  }

  @Operation(summary = "Read a project's budget")
  @ApiResponse(responseCode = "200", description = "Amount, spent, reserved, remaining and overrun, in USD")
  @ApiResponse(responseCode = "404", description = "The project has no budget")
  @GetMapping(path = BUDGET, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<BudgetView> get(@PathVariable @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String projectId,
      Tenant tenant) {
    return budgets.find(tenant.id(), projectId).switchIfEmpty(Mono.error(() -> {
      ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
          "Project " + projectId + " has no budget");
      problem.setTitle("Not found");
      return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
    }));
  }
}
