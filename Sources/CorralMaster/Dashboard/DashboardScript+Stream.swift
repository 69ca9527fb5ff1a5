extension DashboardScript {
    /// The live feed: the leader's operator SUBSCRIBE stream (JSON records in RecordIO,
    /// `<length>\n<json>`) read through a streaming fetch, reopened when it ends.
    static let stream = #"""
        'use strict';
        function restartStream() {
          if (Corral.streamAbort) Corral.streamAbort.abort();
        }

        // The next whole record in `bytes`, with the bytes after it; null if incomplete.
        function nextRecord(bytes) {
          const newline = bytes.indexOf(10);
          if (newline < 0) return null;
          const length = parseInt(new TextDecoder().decode(bytes.subarray(0, newline)), 10);
          if (!(length >= 0)) throw new Error('malformed RecordIO length');
          const end = newline + 1 + length;
          if (bytes.length < end) return null;
          return { text: new TextDecoder().decode(bytes.subarray(newline + 1, end)), rest: bytes.subarray(end) };
        }

        async function followStream() {
          for (;;) {
            const controller = new AbortController();
            Corral.streamAbort = controller;
            try {
              const response = await fetch(Corral.base + '/ui/api/subscribe', { signal: controller.signal, cache: 'no-store' });
              if (!response.ok) throw new Error('subscribe answered ' + response.status);
              const reader = response.body.getReader();
              let bytes = new Uint8Array(0);
              for (;;) {
                const { value, done } = await reader.read();
                if (done) break;
                const joined = new Uint8Array(bytes.length + value.length);
                joined.set(bytes);
                joined.set(value, bytes.length);
                bytes = joined;
                let record;
                while ((record = nextRecord(bytes))) {
                  bytes = record.rest;
                  onEvent(JSON.parse(record.text));
                }
              }
            } catch (error) {
              // the leader went away, or the page switched masters
            }
            setLive('reconnecting', 'warn');
            await sleep(1000);
          }
        }

        function taskOf(id, frameworkId) {
          const tasks = Corral.state ? allTasks() : [];
          return tasks.find(task => task.task_id.value === id && (!frameworkId || task.framework_id.value === frameworkId));
        }

        function onEvent(event) {
          switch (event.type) {
          case 'SUBSCRIBED':
            setLive('live', 'ok');
            Corral.state = event.subscribed.get_state;
            for (const task of allTasks()) Corral.taskStates[task.framework_id.value + '/' + task.task_id.value] = task.state;
            renderState();
            return;
          case 'HEARTBEAT':
            setLive('live', 'ok');
            return;
          case 'TASK_ADDED': {
            const task = event.task_added.task;
            Corral.taskStates[task.framework_id.value + '/' + task.task_id.value] = task.state;
            Corral.taskChanges += 1;
            addEvent('task ' + task.task_id.value + ' added on agent ' + agentName(task.agent_id.value));
            break;
          }
          case 'TASK_UPDATED': {
            const update = event.task_updated;
            const id = update.status.task_id.value;
            // An update is sent again when its acknowledgement completes it: count a state once.
            const key = update.framework_id.value + '/' + id;
            if (Corral.taskStates[key] === update.state) return;
            Corral.taskStates[key] = update.state;
            Corral.taskChanges += 1;
            const message = update.status.message ? ' (' + update.status.message + ')' : '';
            addEvent('task ' + id + ' ' + update.state + message);
            break;
          }
          case 'AGENT_ADDED': {
            const info = event.agent_added.agent.agent_info;
            addEvent('agent ' + info.hostname + ' (' + info.id.value + ') joined');
            break;
          }
          case 'AGENT_REMOVED':
            addEvent('agent ' + agentName(event.agent_removed.agent_id.value) + ' left');
            break;
          case 'FRAMEWORK_ADDED':
            addEvent('framework ' + event.framework_added.framework.framework_info.name + ' registered');
            break;
          case 'FRAMEWORK_UPDATED': {
            const framework = event.framework_updated.framework;
            addEvent('framework ' + framework.framework_info.name + (framework.connected ? ' re-subscribed (fail-over)' : ' disconnected'));
            break;
          }
          case 'FRAMEWORK_REMOVED':
            addEvent('framework ' + event.framework_removed.framework_info.name + ' removed');
            break;
          default:
            addEvent(event.type);
          }
          scheduleState(300);
        }
        """#
}
