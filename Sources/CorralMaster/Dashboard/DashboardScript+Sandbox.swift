extension DashboardScript {
    /// A task's sandbox through the master's `/ui/api/files/…` (the agent's `/files`): the
    /// directory listing, and a file's last 64 KiB, followed while it grows.
    static let sandbox = #"""
        'use strict';
        const Sandbox = { task: null, path: '', file: null, offset: 0, timer: null };
        const sandboxChunk = 65536;

        function setupSandbox() {
          document.getElementById('sandbox-close').addEventListener('click', () => {
            stopTail();
            document.getElementById('sandbox-section').hidden = true;
          });
        }

        function filesURL(operation, path, extra) {
          return '/ui/api/files/' + operation + '?agent_id=' + encodeURIComponent(Sandbox.task.agent_id.value)
            + '&path=' + encodeURIComponent(path) + (extra || '');
        }

        function stopTail() {
          if (Sandbox.timer) clearInterval(Sandbox.timer);
          Sandbox.timer = null;
        }

        // A command task's executor is named after the task; the agent serves the latest run
        // of an executor under this path.
        function openSandbox(task) {
          stopTail();
          Sandbox.task = task;
          Sandbox.file = null;
          const executor = (task.executor_id && task.executor_id.value) || task.task_id.value;
          document.getElementById('sandbox-section').hidden = false;
          document.getElementById('sandbox-task').textContent = task.task_id.value + ' on ' + agentName(task.agent_id.value);
          document.getElementById('sandbox-file').textContent = '';
          document.getElementById('sandbox-name').textContent = '';
          browse('/frameworks/' + task.framework_id.value + '/executors/' + executor + '/runs/latest');
        }

        async function browse(path) {
          Sandbox.path = path;
          document.getElementById('sandbox-path').textContent = path;
          const list = document.getElementById('sandbox-files');
          try {
            const entries = await fetchJSON(filesURL('browse', path));
            const items = entries.sort((a, b) => a.path.localeCompare(b.path)).map(entry => {
              const name = entry.path.split('/').pop();
              const directory = entry.mode && entry.mode.startsWith('d');
              return el('li', { 'data-path': entry.path, onclick: () => directory ? browse(entry.path) : openFile(entry.path) },
                (directory ? '📁 ' : '📄 ') + name + (directory ? '/' : '  (' + entry.size + ' B)'));
            });
            const parent = path.split('/').slice(0, -1).join('/');
            if (parent && path.split('/').length > 7) items.unshift(el('li', { onclick: () => browse(parent) }, '⬆ ..'));
            list.replaceChildren(...items);
            const stdout = entries.find(entry => entry.path.endsWith('/stdout'));
            if (stdout && !Sandbox.file) openFile(stdout.path);
          } catch (error) {
            list.replaceChildren(el('li', { className: 'state-bad' }, 'cannot browse the sandbox: ' + error.message));
          }
        }

        async function openFile(path) {
          stopTail();
          Sandbox.file = path;
          document.getElementById('sandbox-name').textContent = path.split('/').pop() + ' (following)';
          const pre = document.getElementById('sandbox-file');
          pre.textContent = '';
          try {
            const size = await fetchJSON(filesURL('read', path, '&offset=-1'));
            Sandbox.offset = Math.max(0, size.offset - sandboxChunk);
          } catch (error) {
            pre.textContent = 'cannot read ' + path + ': ' + error.message;
            return;
          }
          await tail();
          Sandbox.timer = setInterval(tail, 2000);
        }

        async function tail() {
          const path = Sandbox.file;
          try {
            for (;;) {
              const chunk = await fetchJSON(filesURL('read', path, '&offset=' + Sandbox.offset + '&length=' + sandboxChunk));
              if (path !== Sandbox.file || !chunk.data) return;
              const pre = document.getElementById('sandbox-file');
              const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
              pre.textContent = (pre.textContent + chunk.data).slice(-4 * sandboxChunk);
              if (atEnd) pre.scrollTop = pre.scrollHeight;
              Sandbox.offset = chunk.offset + new TextEncoder().encode(chunk.data).length;
            }
          } catch (error) {
            // the agent or the leader is away for now; the next round tries again
          }
        }
        """#
}
