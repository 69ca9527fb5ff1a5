extension DashboardScript {
    /// Shared state, fetching with fail-over across the masters, and the quorum: the page asks
    /// the master it talks to for every member's status each second; when that master does
    /// not answer it tries the others and stays with the first that does.
    static let core = #"""
        'use strict';
        const Corral = {
          base: '',             // '' is the master that served the page, else 'http(s)://host:port'
          masters: [],          // every member's HTTP address, from the last quorum answer
          quorum: null, state: null, roles: [],
          leaderId: 0, term: 0, commit: 0,
          elections: 0, taskChanges: 0,
          taskStates: {},       // the last state seen of each task, by 'framework/task'
          samples: [],          // one a second: {t, commit, elections, taskChanges}
          streamAbort: null,
        };

        function sleep(ms) { return new Promise(resolve => setTimeout(resolve, ms)); }

        async function fetchJSON(path, base) {
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), 4000);
          try {
            const response = await fetch((base ?? Corral.base) + path, { signal: controller.signal, cache: 'no-store' });
            const text = await response.text();
            if (!response.ok) throw new Error(path + ' answered ' + response.status + ': ' + text);
            return JSON.parse(text);
          } finally {
            clearTimeout(timer);
          }
        }

        function setLive(text, level) {
          const live = document.getElementById('live');
          live.textContent = text;
          live.className = 'badge ' + level;
        }

        // The master the page talks to, then every other one it has heard of.
        function candidateBases() {
          const bases = [Corral.base];
          for (const address of Corral.masters) {
            const base = location.protocol + '//' + address;  // https when the page came over HTTPS
            if (!bases.includes(base) && base !== location.origin) bases.push(base);
          }
          if (Corral.base !== '') bases.push('');
          return bases;
        }

        async function refreshQuorum() {
          for (const base of candidateBases()) {
            try {
              const quorum = await fetchJSON('/ui/api/quorum', base);
              if (base !== Corral.base) {
                addEvent('the master at ' + (base || location.host) + ' answers; following the cluster through it');
                Corral.base = base;
                restartStream();
              }
              applyQuorum(quorum);
              return true;
            } catch (error) {
              // try the next master
            }
          }
          setLive('no master answers', 'bad');
          return false;
        }

        function applyQuorum(quorum) {
          Corral.quorum = quorum;
          Corral.masters = quorum.members.map(member => member.http);
          let leader = null;
          for (const member of quorum.members) {
            const status = member.status;
            if (status && status.role === 'leader' && (!leader || status.term > leader.status.term)) leader = member;
          }
          const term = Math.max(0, ...quorum.members.map(member => member.status ? member.status.term : 0));
          if (Corral.term && term > Corral.term) Corral.elections += term - Corral.term;
          Corral.term = Math.max(Corral.term, term);
          const leaderId = leader ? leader.id : 0;
          if (leaderId !== Corral.leaderId) {
            if (leaderId) addEvent('leader: master ' + leaderId + ' at ' + leader.http + ' (term ' + leader.status.term + ')');
            else addEvent('no master leads');
            Corral.leaderId = leaderId;
            if (leaderId) scheduleState(0);
          }
          if (leader) Corral.commit = leader.status.commitIndex;
          renderQuorum(quorum, leader);
        }

        function sample() {
          Corral.samples.push({ t: Date.now(), commit: Corral.commit, elections: Corral.elections, taskChanges: Corral.taskChanges });
          while (Corral.samples.length > 301) Corral.samples.shift();
        }

        async function refreshState() {
          try {
            const [state, roles] = await Promise.all([
              fetchJSON('/ui/api/call/GET_STATE'), fetchJSON('/ui/api/call/GET_ROLES'),
            ]);
            Corral.state = state.get_state;
            Corral.roles = (roles.get_roles && roles.get_roles.roles) || [];
            renderState();
          } catch (error) {
            // No leader right now: the quorum view says so; the next round asks again.
          }
        }

        let stateTimer = null;
        // Reads the state again after `delay` ms (several events in a row cause one read).
        function scheduleState(delay) {
          if (stateTimer) return;
          stateTimer = setTimeout(() => { stateTimer = null; refreshState(); }, delay);
        }

        async function tick() {
          await refreshQuorum();
          sample();
          drawPlots();
          if (Corral.samples.length % 3 === 0) scheduleState(0);
          renderAges();
        }

        window.addEventListener('load', () => {
          setupTables();
          setupSandbox();
          tick();
          followStream();
          setInterval(tick, 1000);
        });
        """#
}
