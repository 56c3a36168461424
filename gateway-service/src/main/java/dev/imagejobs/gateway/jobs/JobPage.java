package dev.imagejobs.gateway.jobs;

import java.util.List;

/**
 * One page of a job list, newest first.
 *
 * @param items the jobs of this page
 * @param nextCursor pass as {@code cursor} to get the next page; {@code null} on the last page
 * @param lastEventId with a {@code projectId} filter: a project stream position this page
 *     reflects, to pass as {@code lastEventId} to {@code GET /api/v1/images/events} so the stream
 *     misses nothing the list did not show (it may send again an event the page already reflects:
 *     keep the view with the higher {@code eventSeq}); otherwise {@code null}
 */
record JobPage(List<JobView> items, String nextCursor, String lastEventId) {}
