// Every in-process test audits the indexes that stand in for a walk (they must give the walk's
// answer): the orchestrator's count of live slots, the metrics' counts of tasks per service.
import { LiveSlots } from "../src/manager/orchestrator/live-slots.js";
import { AgentTaskCounts } from "../src/engine/observe.js";

LiveSlots.audit = true;
AgentTaskCounts.audit = true;
