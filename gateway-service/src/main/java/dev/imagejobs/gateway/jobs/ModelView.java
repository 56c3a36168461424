package dev.imagejobs.gateway.jobs;

import dev.imagejobs.messaging.ModelCatalogue;
import java.util.List;

/**
 * The model new jobs use, and the reference images it takes.
 *
 * @param provider the provider written into new jobs
 * @param model the model written into new jobs
 * @param maxReferenceImages how many reference images a job may name (0: none)
 * @param maxReferenceSizeBytes the largest reference image it takes
 * @param referenceTypes the media types of the reference images it takes
 * @param edits whether it runs EDIT jobs
 * @param maxVariants how many variants of one request a job may ask for
 */
record ModelView(String provider, String model, int maxReferenceImages, long maxReferenceSizeBytes,
    List<String> referenceTypes, boolean edits, int maxVariants) {

  static ModelView of(String provider, String model, ModelCatalogue.ModelCapabilities capabilities) {
    return new ModelView(provider, model, capabilities.maxReferenceImages(), capabilities.maxReferenceSize().toBytes(),
        capabilities.referenceTypes(), capabilities.edits(), capabilities.maxVariants());
  }
}
