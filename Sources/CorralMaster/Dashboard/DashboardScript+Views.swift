extension DashboardScript {
    /// Helpers for building rows (text only: nothing from the cluster becomes markup), the
    /// resource arithmetic, the event list and the quorum table.
    static let views = #"""
        'use strict';
        function el(tag, attributes, ...children) {
          const node = document.createElement(tag);
          for (const [name, value] of Object.entries(attributes || {})) {
            if (name === 'className') node.className = value;
            else if (name === 'onclick') node.addEventListener('click', value);
            else node.setAttribute(name, value);
          }
          for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? '')));
          return node;
        }

        function fillTable(id, rows) {
          const body = document.querySelector('#' + id + ' tbody');
          body.replaceChildren(...rows);
        }

        // Scalars by name, and ports as ranges, from a Mesos Resource list.
        function quantities(resources) {
          const totals = {};
          for (const resource of resources || []) {
            if (resource.type === 'RANGES' || resource.ranges) {
              const count = ((resource.ranges && resource.ranges.range) || []).reduce((sum, r) => sum + (r.end - r.begin + 1), 0);
              totals[resource.name] = (totals[resource.name] || 0) + count;
            } else if (resource.scalar) {
              totals[resource.name] = (totals[resource.name] || 0) + resource.scalar.value;
            }
          }
          return totals;
        }

        function minus(a, b) {
          const out = {};
          for (const name of Object.keys(a)) out[name] = a[name] - (b[name] || 0);
          return out;
        }

        function round(value) { return Math.round(value * 100) / 100; }

        function quantityText(totals) {
          const order = ['cpus', 'gpus', 'mem', 'disk', 'ports'];
          const names = Object.keys(totals).sort((x, y) => (order.indexOf(x) + 1 || 99) - (order.indexOf(y) + 1 || 99));
          return names.map(name => {
            const value = round(totals[name]);
            if (name === 'mem' || name === 'disk') return name + ' ' + value + ' MB';
            return name + ' ' + value;
          }).join(' · ') || '-';
        }

        function ageText(seconds) {
          if (!(seconds >= 0)) return '-';
          if (seconds < 60) return Math.floor(seconds) + 's';
          if (seconds < 3600) return Math.floor(seconds / 60) + 'm' + Math.floor(seconds % 60) + 's';
          if (seconds < 86400) return Math.floor(seconds / 3600) + 'h' + Math.floor((seconds % 3600) / 60) + 'm';
          return Math.floor(seconds / 86400) + 'd';
        }

        function stateClass(state) {
          if (/RUNNING|FINISHED|active|ok/.test(state)) return 'state-ok';
          if (/FAILED|ERROR|LOST|GONE|DROPPED|bad|down|stopped/.test(state)) return 'state-bad';
          return 'state-warn';
        }

        function addEvent(text) {
          const list = document.getElementById('events');
          const time = new Date().toLocaleTimeString();
          list.prepend(el('li', {}, time + '  ' + text));
          while (list.children.length > 200) list.lastChild.remove();
        }

        function agentName(id) {
          const agents = (Corral.state && Corral.state.get_agents.agents) || [];
          const agent = agents.find(a => a.agent_info.id.value === id);
          return agent ? agent.agent_info.hostname : id;
        }

        function renderQuorum(quorum, leader) {
          document.getElementById('cluster').textContent = 'cluster ' + quorum.clusterID;
          document.getElementById('via').textContent = 'via master ' + quorum.answeredBy;
          const banner = document.getElementById('leader');
          banner.dataset.leaderId = leader ? String(leader.id) : '0';
          banner.dataset.term = leader ? String(leader.status.term) : '0';
          banner.textContent = leader
            ? 'leader: master ' + leader.id + ' at ' + leader.http + ', term ' + leader.status.term
            : 'no leader';
          if (!leader) setLive('no leader', 'bad');
          const followers = leader ? leader.status.followers : [];
          fillTable('quorum', quorum.members.map(member => {
            const status = member.status;
            const isLeader = leader && member.id === leader.id;
            const follower = followers.find(f => f.id === member.id);
            let lag = '-';
            if (isLeader) lag = '0';
            else if (follower) lag = String(follower.lag) + (follower.active ? '' : ' (inactive)');
            else if (status && leader) lag = String(Math.max(0, leader.status.commitIndex - status.appliedIndex));
            const health = !status ? 'down' : (status.failure ? 'stopped: ' + status.failure : 'ok');
            const role = status ? status.role + (status.learners && status.learners.includes(member.id) ? ' (learner)' : '') : 'unreachable';
            return el('tr', { className: isLeader ? 'leader' : '', 'data-master-id': member.id, 'data-role': status ? status.role : 'down' },
              el('td', {}, member.id), el('td', {}, member.http), el('td', {}, role),
              el('td', {}, status ? status.term : '-'), el('td', {}, status ? status.commitIndex : '-'),
              el('td', {}, status ? status.appliedIndex : '-'), el('td', {}, lag),
              el('td', { className: stateClass(health), title: member.error || '' }, health));
          }));
        }
        """#
}
