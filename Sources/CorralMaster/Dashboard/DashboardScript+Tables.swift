extension DashboardScript {
    /// The tables read from the leader's state: agents, frameworks, tasks (with the filter
    /// and the search box), offers, and roles with their quota and weight.
    static let tables = #"""
        'use strict';
        function setupTables() {
          document.getElementById('task-filter').addEventListener('change', renderTasks);
          document.getElementById('task-search').addEventListener('input', renderTasks);
        }

        function allTasks() {
          const tasks = Corral.state.get_tasks;
          return [...(tasks.tasks || []), ...(tasks.unreachable_tasks || []), ...(tasks.completed_tasks || [])];
        }

        function isEnded(state) {
          return /FINISHED|FAILED|KILLED|LOST|ERROR|DROPPED|GONE/.test(state) && !/UNREACHABLE/.test(state);
        }

        function frameworkNames() {
          const names = {};
          const frameworks = Corral.state.get_frameworks;
          for (const f of [...(frameworks.frameworks || []), ...(frameworks.completed_frameworks || [])]) {
            names[f.framework_info.id.value] = f.framework_info.name;
          }
          return names;
        }

        function renderState() {
          if (!Corral.state) return;
          renderAgents();
          renderFrameworks();
          renderTasks();
          renderOffers();
          renderRoles();
          openLinkedSandbox();
        }

        // `#task=ID` in the address opens that task's sandbox once the task is known.
        let linkedSandboxOpened = false;
        function openLinkedSandbox() {
          const match = /^#task=(.+)$/.exec(location.hash);
          if (linkedSandboxOpened || !match) return;
          const task = taskOf(decodeURIComponent(match[1]));
          if (!task) return;
          linkedSandboxOpened = true;
          openSandbox(task);
        }

        function renderAgents() {
          const agents = Corral.state.get_agents.agents || [];
          document.getElementById('agents-count').textContent = agents.length + ' registered';
          fillTable('agents', agents.map(agent => {
            const info = agent.agent_info;
            const total = quantities(agent.total_resources);
            const used = quantities(agent.allocated_resources);
            const state = agent.deactivated ? 'draining or deactivated' : (agent.active ? 'active' : 'disconnected');
            const attributes = (info.attributes || []).map(a => a.name + '=' + (a.text ? a.text.value : a.scalar ? a.scalar.value : '…')).join(', ');
            return el('tr', { 'data-agent-id': info.id.value, 'data-hostname': info.hostname },
              el('td', {}, info.hostname + (info.port ? ':' + info.port : '')), el('td', { className: 'muted' }, info.id.value),
              el('td', { className: stateClass(state) }, state), el('td', {}, quantityText(total)),
              el('td', {}, quantityText(used)), el('td', {}, quantityText(minus(total, used))), el('td', { className: 'wrap' }, attributes || '-'));
          }));
        }

        function renderFrameworks() {
          const frameworks = Corral.state.get_frameworks;
          const live = frameworks.frameworks || [];
          const done = frameworks.completed_frameworks || [];
          document.getElementById('frameworks-count').textContent = live.length + ' live, ' + done.length + ' completed';
          fillTable('frameworks', [...live, ...done].map(f => {
            const info = f.framework_info;
            const state = done.includes(f) ? 'completed' : (f.connected ? 'active' : 'disconnected');
            const registered = f.registered_time ? new Date(f.registered_time.nanoseconds / 1e6).toLocaleString() : '-';
            return el('tr', { 'data-framework-id': info.id.value },
              el('td', {}, info.name), el('td', { className: 'muted' }, info.id.value),
              el('td', {}, (info.roles || [info.role || '*']).join(', ')), el('td', { className: stateClass(state) }, state),
              el('td', {}, quantityText(quantities(f.allocated_resources))), el('td', {}, quantityText(quantities(f.offered_resources))),
              el('td', {}, registered));
          }));
        }

        function renderTasks() {
          if (!Corral.state) return;
          const filter = document.getElementById('task-filter').value;
          const search = document.getElementById('task-search').value.trim().toLowerCase();
          const names = frameworkNames();
          const tasks = allTasks().filter(task => {
            const ended = isEnded(task.state);
            if ((filter === 'active' && ended) || (filter === 'ended' && !ended)) return false;
            if (!search) return true;
            const text = [task.task_id.value, task.name, names[task.framework_id.value], task.framework_id.value,
              agentName(task.agent_id.value), task.state].join(' ').toLowerCase();
            return text.includes(search);
          });
          document.getElementById('tasks-count').textContent = tasks.length + ' shown of ' + allTasks().length;
          fillTable('tasks', tasks.map(task => {
            const since = task.statuses && task.statuses.length ? task.statuses[task.statuses.length - 1].timestamp : null;
            return el('tr', { 'data-task-id': task.task_id.value, 'data-state': task.state, 'data-since': since ?? '',
              onclick: () => openSandbox(task) },
              el('td', {}, task.task_id.value), el('td', {}, task.name), el('td', {}, names[task.framework_id.value] || task.framework_id.value),
              el('td', {}, agentName(task.agent_id.value)), el('td', { className: stateClass(task.state) }, task.state.replace('TASK_', '')),
              el('td', { className: 'age' }, since ? ageText(Date.now() / 1000 - since) : '-'), el('td', {}, quantityText(quantities(task.resources))));
          }));
        }

        function renderAges() {
          for (const row of document.querySelectorAll('#tasks tbody tr')) {
            const since = parseFloat(row.dataset.since);
            if (since) row.querySelector('.age').textContent = ageText(Date.now() / 1000 - since);
          }
        }

        function renderOffers() {
          const names = frameworkNames();
          const offers = (Corral.state.get_frameworks.frameworks || []).flatMap(f => f.offers || []);
          document.getElementById('offers-count').textContent = offers.length + ' outstanding';
          fillTable('offers', offers.map(offer => el('tr', {},
            el('td', { className: 'muted' }, offer.id.value), el('td', {}, names[offer.framework_id.value] || offer.framework_id.value),
            el('td', {}, offer.hostname || agentName(offer.agent_id.value)), el('td', {}, quantityText(quantities(offer.resources))))));
        }

        function quotaText(map) {
          if (!map) return '-';
          const totals = {};
          for (const [name, value] of Object.entries(map)) totals[name] = value.value;
          return quantityText(totals);
        }

        function renderRoles() {
          fillTable('roles', Corral.roles.map(role => el('tr', { 'data-role': role.name },
            el('td', {}, role.name), el('td', {}, role.weight), el('td', {}, quotaText(role.quota && role.quota.guarantees)),
            el('td', {}, quotaText(role.quota && role.quota.limits)), el('td', {}, quantityText(quantities(role.allocated))),
            el('td', {}, (role.frameworks || []).length))));
        }
        """#
}
