// The body of a parallel sweep's worker thread (piscina calls the default export per job).
import { runJob, type JobResult, type SweepJob } from "./sweep-run.js";

export default function sweepWorker(job: SweepJob): Promise<JobResult> {
  return runJob(job);
}
