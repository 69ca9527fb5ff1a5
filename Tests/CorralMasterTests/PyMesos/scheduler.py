#!/usr/bin/env python3
"""A pymesos scheduler for the pymesos compatibility test of the Corral master.

Subscribes as framework "pymesos-test" (user "root"), launches N tasks running
`true` (or --command) from the offers it gets, declines what it does not use, records every
status update (pymesos acknowledges them implicitly) and stops once all N tasks
are TASK_FINISHED. Writes a JSON summary to OUTPUT:

  {"framework_id": ..., "master_version": ..., "offers_received": N,
   "launched": [task ids], "updates": [{"task_id", "state", ...}],
   "final_states": {task id: state}, "ok": bool, "error": str|null}

With --executor-command, the tasks run under one custom executor (ExecutorInfo with that
command, see executor.py) instead of as commands: the scheduler answers the executor's
"running <task>" framework message with "finish <task>", expects "finished <task>" back,
and once every task finished sends "exit" and waits for the executor's FAILURE event
(executorLost); the summary then has "messages" and "executor_lost". With --hold-file, the
"finish" answers wait until that file exists (the test restarts the agent meanwhile).

With --reserve ROLE, the framework subscribes with that role and each ACCEPT first RESERVEs
the tasks' CPUs for ROLE (a dynamic reservation, operation id "reserve-N") and then LAUNCHes
the tasks on the reserved CPUs; it is done once the tasks finished and an offer came back
with the reservation. The summary then has "operation_updates" and "reserved_offers".

Exit 0 when all tasks finished, 1 on a task ending in another terminal state,
on timeout or on a driver failure (message on stderr), 2 on bad arguments.
Run it with the Python of the venv made by setup-venv.sh.
"""
import argparse
import json
import logging
import os
import sys
import threading
import time

EXECUTOR_ID = "pymesos-executor"

TERMINAL = {
    "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR",
    "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN",
}


def scalar(resources, name):
    total = 0.0
    for r in resources or []:
        if r.get("name") == name and r.get("type", "SCALAR") == "SCALAR":
            total += float(r.get("scalar", {}).get("value", 0.0))
    return total


def task_resource(name, value, offered):
    """A scalar resource; carries the offered resource's role/allocation_info
    (Mesos >= 1.x puts allocation_info on offered resources)."""
    res = {"name": name, "type": "SCALAR", "scalar": {"value": value}}
    for r in offered or []:
        if r.get("name") == name:
            for key in ("allocation_info", "role"):
                if key in r:
                    res[key] = r[key]
            break
    return res


def build_scheduler_class(Scheduler):
    from pymesos import encode_data, decode_data

    class TestScheduler(Scheduler):
        def __init__(self, args):
            self.args = args
            self.lock = threading.Lock()
            self.done = threading.Event()
            self.framework_id = None
            self.master_info = None
            self.offers_received = 0
            self.launched = []
            self.updates = []
            self.final_states = {}
            self.failure = None
            self.disconnects = 0
            self.reregistrations = 0
            self.errors = []
            self.messages = []
            self.executor_lost = []
            self.agent_id = None
            self.exit_sent = False
            self.held = []
            self.operation_updates = []
            self.reserved_offers = 0
            self.accepts = 0

        # --- callbacks (run on pymesos's IO thread) ---
        def registered(self, driver, framework_id, master_info):
            with self.lock:
                self.framework_id = framework_id["value"]
                self.master_info = dict(master_info)
            log("registered: framework_id=%s master=%s" % (self.framework_id, dict(master_info)))

        def reregistered(self, driver, master_info):
            with self.lock:
                self.reregistrations += 1
                self.master_info = dict(master_info)
            log("reregistered: master=%s" % dict(master_info))

        def disconnected(self, driver):
            with self.lock:
                self.disconnects += 1
            log("disconnected")

        def resourceOffers(self, driver, offers):
            for offer in offers:
                with self.lock:
                    self.offers_received += 1
                    if self.args.reserve and reserved_cpus(offer.get("resources"), self.args.reserve) > 0:
                        self.reserved_offers += 1
                        if self.all_finished_locked():
                            log("offer %s carries the reservation back" % offer["id"]["value"])
                            self.check_done_locked(driver)
                    remaining = self.args.tasks - len(self.launched)
                    cpus = scalar(offer.get("resources"), "cpus")
                    mem = scalar(offer.get("resources"), "mem")
                    tasks = []
                    eps = 1e-9
                    while (remaining > 0 and cpus + eps >= self.args.cpus
                           and mem + eps >= self.args.mem):
                        tid = "pymesos-task-%d" % (len(self.launched) + len(tasks))
                        task = {
                            "task_id": {"value": tid},
                            "agent_id": offer["agent_id"],
                            "name": tid,
                            "resources": [
                                task_resource("cpus", self.args.cpus, offer.get("resources")),
                                task_resource("mem", self.args.mem, offer.get("resources")),
                            ],
                        }
                        if self.args.executor_command:
                            task["executor"] = {
                                "executor_id": {"value": EXECUTOR_ID},
                                "name": "pymesos test executor",
                                "command": {"value": self.args.executor_command},
                            }
                        else:
                            task["command"] = {"value": self.args.command}
                        tasks.append(task)
                        remaining -= 1
                        cpus -= self.args.cpus
                        mem -= self.args.mem
                    self.launched.extend(t["task_id"]["value"] for t in tasks)
                    for t in tasks:
                        self.final_states.setdefault(t["task_id"]["value"], None)
                if tasks and self.args.reserve:
                    with self.lock:
                        self.accepts += 1
                        number = self.accepts
                    reserved = []
                    for t in tasks:
                        for r in t["resources"]:
                            if r["name"] == "cpus":
                                r["reservations"] = [{"type": "DYNAMIC", "role": self.args.reserve}]
                                reserved.append(dict(r))
                    operations = [
                        {"type": "RESERVE", "id": {"value": "reserve-%d" % number},
                         "reserve": {"resources": reserved}},
                        {"type": "LAUNCH", "launch": {"task_infos": tasks}},
                    ]
                    log("offer %s on agent %s: reserving %s and launching %s" % (
                        offer["id"]["value"], offer["agent_id"]["value"], reserved,
                        [t["task_id"]["value"] for t in tasks]))
                    driver.acceptOffers([offer["id"]], operations)
                elif tasks:
                    log("offer %s on agent %s: launching %s" % (
                        offer["id"]["value"], offer["agent_id"]["value"],
                        [t["task_id"]["value"] for t in tasks]))
                    driver.launchTasks(offer["id"], tasks)
                else:
                    log("offer %s: declining" % offer["id"]["value"])
                    driver.declineOffer(offer["id"], {"refuse_seconds": 0.5})

        def operationStatusUpdate(self, driver, status):
            log("operation update: %s" % dict(status))
            with self.lock:
                self.operation_updates.append({
                    "operation_id": status.get("operation_id", {}).get("value"),
                    "state": status.get("state"), "message": status.get("message")})
                if status.get("state") != "OPERATION_FINISHED" and self.failure is None:
                    self.failure = "operation %s: %s %s" % (
                        status.get("operation_id"), status.get("state"), status.get("message"))
                    self.done.set()

        def offerRescinded(self, driver, offer_id):
            log("offer rescinded: %s" % dict(offer_id))

        def statusUpdate(self, driver, status):
            tid = status["task_id"]["value"]
            state = status["state"]
            rec = {"task_id": tid, "state": state, "has_uuid": "uuid" in status}
            for key in ("reason", "source", "message"):
                if key in status:
                    rec[key] = status[key]
            if "agent_id" in status:
                rec["agent_id"] = status["agent_id"]["value"]
            log("update: %s %s" % (tid, state))
            with self.lock:
                self.updates.append(rec)
                self.final_states[tid] = state
                if state in TERMINAL and state != "TASK_FINISHED" and self.failure is None:
                    self.failure = "task %s ended %s: %s" % (
                        tid, state, status.get("message", status.get("reason", "")))
                    self.done.set()
                if "agent_id" in status:
                    self.agent_id = status["agent_id"]
                self.check_done_locked(driver)

        def all_finished_locked(self):
            return len(self.launched) == self.args.tasks and all(
                self.final_states.get(t) == "TASK_FINISHED" for t in self.launched)

        def check_done_locked(self, driver):
            if not self.all_finished_locked():
                return
            if self.args.reserve and self.reserved_offers == 0:
                return
            if self.args.reserve and not self.operation_updates:
                return
            if not self.args.executor_command:
                self.done.set()
                return
            finished = set(m[len("finished "):] for m in self.messages if m.startswith("finished "))
            if not finished.issuperset(self.launched):
                return
            if not self.exit_sent:
                self.exit_sent = True
                log("all tasks finished: asking the executor to exit")
                driver.sendFrameworkMessage({"value": EXECUTOR_ID}, self.agent_id, encode_data(b"exit"))
            if self.executor_lost:
                self.done.set()

        def frameworkMessage(self, driver, executor_id, agent_id, message):
            text = decode_data(message).decode()
            log("message from executor %s: %s" % (executor_id["value"], text))
            with self.lock:
                self.messages.append(text)
                self.agent_id = dict(agent_id)
                verb, _, tid = text.partition(" ")
                if verb == "running":
                    self.held.append((executor_id, dict(agent_id), tid))
                self.release_held_locked(driver)
                self.check_done_locked(driver)

        def release_held_locked(self, driver):
            if self.args.hold_file and not os.path.exists(self.args.hold_file):
                return
            for executor_id, agent_id, tid in self.held:
                log("asking the executor to finish %s" % tid)
                driver.sendFrameworkMessage(executor_id, agent_id, encode_data(("finish " + tid).encode()))
            self.held = []

        def poll_hold_file(self, driver):
            while not self.done.is_set():
                with self.lock:
                    self.release_held_locked(driver)
                self.done.wait(0.2)

        def executorLost(self, driver, executor_id, agent_id, status):
            log("executor lost: %s status %s" % (executor_id["value"], status))
            with self.lock:
                self.executor_lost.append({"executor_id": executor_id["value"], "agent_id": agent_id["value"], "status": status})
                self.check_done_locked(driver)

        def error(self, driver, message):
            log("error event: %s" % message)
            with self.lock:
                self.errors.append(message)
                if self.failure is None:
                    self.failure = "ERROR event from master: %s" % message
                self.done.set()

        def summary(self, ok, error):
            with self.lock:
                return {
                    "ok": ok,
                    "error": error,
                    "framework_id": self.framework_id,
                    "master_info": self.master_info,
                    "offers_received": self.offers_received,
                    "launched": list(self.launched),
                    "updates": list(self.updates),
                    "final_states": dict(self.final_states),
                    "disconnects": self.disconnects,
                    "reregistrations": self.reregistrations,
                    "errors": list(self.errors),
                    "messages": list(self.messages),
                    "executor_lost": list(self.executor_lost),
                    "operation_updates": list(self.operation_updates),
                    "reserved_offers": self.reserved_offers,
                }

    return TestScheduler


def reserved_cpus(resources, role):
    """The CPUs in `resources` dynamically reserved for `role`."""
    total = 0.0
    for r in resources or []:
        stack = r.get("reservations") or []
        if r.get("name") == "cpus" and stack and stack[-1].get("role") == role \
                and stack[-1].get("type") == "DYNAMIC":
            total += float(r.get("scalar", {}).get("value", 0.0))
    return total


def log(msg):
    sys.stderr.write("scheduler.py: %s\n" % msg)
    sys.stderr.flush()


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--master", required=True, help="master address host:port")
    p.add_argument("--tasks", type=int, default=1, help="number of tasks to launch (default 1)")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds until all tasks must be TASK_FINISHED (default 60)")
    p.add_argument("--cpus", type=float, default=0.1, help="cpus per task (default 0.1)")
    p.add_argument("--mem", type=float, default=32.0, help="mem (MB) per task (default 32)")
    p.add_argument("--command", default="true", help="the shell command each task runs (default true)")
    p.add_argument("--executor-command", default=None,
                   help="run the tasks under one custom executor started with this shell command")
    p.add_argument("--hold-file", default=None,
                   help="with --executor-command: answer \"finish\" only once this file exists")
    p.add_argument("--reserve", default=None, metavar="ROLE",
                   help="subscribe with ROLE and RESERVE each task's CPUs for it before the LAUNCH")
    p.add_argument("--debug", action="store_true", help="pymesos debug logging")
    p.add_argument("output", help="path of the JSON summary to write")
    args = p.parse_args(argv)
    if args.tasks < 1 or args.timeout <= 0 or args.cpus <= 0 or args.mem <= 0:
        p.error("--tasks, --timeout, --cpus and --mem must be positive")
    if ":" not in args.master:
        p.error("--master must be host:port")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        from pymesos import MesosSchedulerDriver, Scheduler
    except ImportError as e:
        log("cannot import pymesos (run with the venv from setup-venv.sh): %s" % e)
        return 1
    if args.debug:
        logging.getLogger("pymesos").setLevel(logging.DEBUG)

    sched = build_scheduler_class(Scheduler)(args)
    framework = {"user": "root", "name": "pymesos-test"}  # default role "*"
    if args.reserve:
        framework["role"] = args.reserve
    driver = MesosSchedulerDriver(sched, framework, args.master, use_addict=False)

    ok, error = False, None
    deadline = time.monotonic() + args.timeout
    try:
        driver.start()
        if args.hold_file:
            threading.Thread(target=sched.poll_hold_file, args=(driver,), daemon=True).start()
        while not sched.done.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            # Short waits: pymesos reports an IO-thread failure by raising it
            # in the main thread (through SIGINT), which needs us to be awake.
            sched.done.wait(min(0.5, left))
        with sched.lock:
            if sched.failure:
                error = sched.failure
            elif sched.done.is_set():
                ok = True
            else:
                error = "timeout after %gs: launched %d/%d, states %s" % (
                    args.timeout, len(sched.launched), args.tasks, sched.final_states)
    except BaseException as e:  # includes the driver's re-raised IO-thread exception
        error = "driver failed: %s: %s" % (type(e).__name__, e)
    finally:
        try:
            driver.stop()  # not failover: pymesos sends TEARDOWN on its IO thread
            stopper = threading.Thread(target=driver.join, daemon=True)
            stopper.start()
            stopper.join(10)
        except BaseException as e:
            log("stopping driver: %s: %s" % (type(e).__name__, e))

    summary = sched.summary(ok, error)
    summary["master_version"] = driver.version
    with open(args.output, "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
        f.write("\n")
    if ok:
        log("all %d tasks finished; summary in %s" % (args.tasks, args.output))
        return 0
    log("FAILED: %s (summary in %s)" % (error, args.output))
    return 1


if __name__ == "__main__":
    sys.exit(main())
