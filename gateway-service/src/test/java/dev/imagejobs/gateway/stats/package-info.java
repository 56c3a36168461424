/** Tests of the statistics API against jobs with known timings and costs. */
package dev.imagejobs.gateway.stats;
