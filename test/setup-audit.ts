// Every in-process test audits the indexes that stand in for a walk (they must give the walk's
// answer): the orchestrator's count of live slots.
import { LiveSlots } from "../src/manager/orchestrator/live-slots.js";

LiveSlots.audit = true;
