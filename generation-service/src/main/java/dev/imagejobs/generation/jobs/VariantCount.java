package dev.imagejobs.generation.jobs;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.messaging.ModelCatalogue;
import dev.imagejobs.schemas.avro.JobSpec;
import java.util.Optional;

/**
 * How many images of the same request a job asks for ({@code JobSpec.variants}, 1 to
 * {@value ModelCatalogue#MAX_VARIANTS}), and whether its model can make them: checked before any
 * provider call, like the job's images, so a job that asks too much is not charged. The gateway
 * checks the same catalogue, but its settings may differ.
 */
class VariantCount {
  static final String INVALID = "VARIANTS_INVALID";
  static final String UNSUPPORTED = "VARIANTS_UNSUPPORTED";

  private final ModelCatalogue catalogue;

  VariantCount(ModelCatalogue catalogue) {
    this.catalogue = catalogue;
  }

  /**
   * Why the job's variants cannot be made, or empty when they can: PERMANENT {@value #INVALID} for
   * a number outside 1 to {@value ModelCatalogue#MAX_VARIANTS}, PERMANENT {@value #UNSUPPORTED} for
   * more than the model's catalogue entry makes (a model the catalogue does not know makes one).
   */
  Optional<ProviderException> refusal(JobSpec spec) {
    int variants = spec.getVariants();
    if (variants < 1 || variants > ModelCatalogue.MAX_VARIANTS) {
      return Optional.of(new ProviderException(ErrorClass.PERMANENT, INVALID, "variants: a job asks for 1 to "
          + ModelCatalogue.MAX_VARIANTS + " variants of its request, not " + variants));
    }
    return catalogue.capabilitiesOf(spec.getModel()).variantsRefusal(spec.getModel(), variants)
        .map(refused -> new ProviderException(ErrorClass.PERMANENT, UNSUPPORTED, "variants: " + refused));
  }

  /**
   * The variants the run keeps track of: the job's number, or 1 for a number {@link #refusal} refuses,
   * whose job fails before any call.
   */
  static int of(JobSpec spec) {
    int variants = spec.getVariants();
    return variants < 1 || variants > ModelCatalogue.MAX_VARIANTS ? 1 : variants;
  }
}
