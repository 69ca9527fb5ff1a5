#!/usr/bin/env python3
"""A pymesos executor for the custom-executor test of the Corral agent.

Run by the agent as an ExecutorInfo command (with the venv's Python), it uses an unmodified
pymesos MesosExecutorDriver, which reads MESOS_AGENT_ENDPOINT, MESOS_FRAMEWORK_ID,
MESOS_EXECUTOR_ID, MESOS_CHECKPOINT and MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD.

For each LAUNCH it sends TASK_RUNNING and sends the scheduler the framework message
"running <task id>". When the scheduler answers with the message "finish <task id>", it sends
"finished <task id>" back and TASK_FINISHED. The message "exit" makes it exit with status 3.
KILL gets TASK_KILLED; SHUTDOWN stops it.
Everything it sees is appended, one JSON object a line, to the file named by the
EXECUTOR_LOG environment variable (if set), for the test to read.
"""
import json
import os
import sys
import threading


def record(**entry):
    path = os.environ.get("EXECUTOR_LOG")
    line = json.dumps(entry, sort_keys=True)
    sys.stderr.write("executor.py: %s\n" % line)
    sys.stderr.flush()
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")


def main():
    from pymesos import MesosExecutorDriver, Executor, encode_data, decode_data

    class TestExecutor(Executor):
        def __init__(self):
            self.tasks = {}
            self.lock = threading.Lock()

        def registered(self, driver, executor_info, framework_info, agent_info):
            record(event="registered", executor_id=executor_info["executor_id"]["value"],
                   framework_id=framework_info["id"]["value"], agent_host=agent_info.get("hostname"),
                   environment={k: v for k, v in os.environ.items() if k.startswith("MESOS_")})

        def reregistered(self, driver, agent_info):
            record(event="reregistered")

        def disconnected(self, driver):
            record(event="disconnected")

        def launchTask(self, driver, task):
            task_id = task["task_id"]["value"]
            with self.lock:
                self.tasks[task_id] = task
            record(event="launch", task_id=task_id)
            driver.sendStatusUpdate({"task_id": task["task_id"], "state": "TASK_RUNNING"})
            driver.sendFrameworkMessage(encode_data(("running " + task_id).encode()))

        def killTask(self, driver, task_id):
            record(event="kill", task_id=task_id["value"])
            driver.sendStatusUpdate({"task_id": task_id, "state": "TASK_KILLED"})

        def frameworkMessage(self, driver, message):
            text = decode_data(message).decode()
            record(event="message", data=text)
            verb, _, task_id = text.partition(" ")
            if verb == "exit":
                # Exit with status 3 once this call has returned: the scheduler must see a
                # FAILURE (executorLost) with that status.
                threading.Timer(0.5, lambda: os._exit(3)).start()
                return
            if verb != "finish":
                return
            with self.lock:
                task = self.tasks.pop(task_id, None)
            if task is None:
                return
            driver.sendFrameworkMessage(encode_data(("finished " + task_id).encode()))
            driver.sendStatusUpdate({"task_id": task["task_id"], "state": "TASK_FINISHED"})

        def shutdown(self, driver):
            record(event="shutdown")

        def error(self, driver, message):
            record(event="error", message=message)

    driver = MesosExecutorDriver(TestExecutor(), use_addict=False)
    driver.run()


if __name__ == "__main__":
    main()
