extension DashboardScript {
    /// The plots over the last minutes (up to five), from the page's own samples (one a second):
    /// commits/s from the leader's commit index, elections from term changes, and task state
    /// changes/s from the SUBSCRIBE stream.
    static let plots = #"""
        'use strict';
        // Per-second rates between consecutive samples of `field`, with their times.
        function rates(field, perSecond) {
          const points = [];
          const samples = Corral.samples;
          for (let i = 1; i < samples.length; i++) {
            const seconds = Math.max(0.001, (samples[i].t - samples[i - 1].t) / 1000);
            const change = Math.max(0, samples[i][field] - samples[i - 1][field]);
            points.push({ t: samples[i].t, v: perSecond ? change / seconds : change });
          }
          return points;
        }

        // The last minute while the page is young, growing to the last five minutes.
        function plotSpan(end) {
          const first = Corral.samples.length ? Corral.samples[0].t : end;
          return Math.min(300, Math.max(60, Math.ceil((end - first) / 60000) * 60)) * 1000;
        }

        function drawPlot(id, points, color, bars) {
          const canvas = document.getElementById(id);
          const context = canvas.getContext('2d');
          const width = canvas.width, height = canvas.height, left = 34, bottom = 16, top = 6;
          context.clearRect(0, 0, width, height);
          const end = Date.now();
          const span = plotSpan(end);
          const max = Math.max(1, ...points.map(p => p.v));
          context.strokeStyle = '#dde2e7';
          context.fillStyle = '#6b7580';
          context.font = '10px system-ui, sans-serif';
          context.lineWidth = 1;
          for (const fraction of [0, 0.5, 1]) {
            const y = top + (height - top - bottom) * (1 - fraction);
            context.beginPath(); context.moveTo(left, y); context.lineTo(width, y); context.stroke();
            context.fillText(String(Math.round(max * fraction * 10) / 10), 2, y + 3);
          }
          context.fillText('-' + Math.round(span / 60000) + ' min', left, height - 3);
          context.fillText('now', width - 22, height - 3);
          const x = t => left + (width - left) * (1 - (end - t) / span);
          const y = v => top + (height - top - bottom) * (1 - v / max);
          context.strokeStyle = color;
          context.fillStyle = color;
          context.lineWidth = 1.5;
          if (bars) {
            for (const p of points) if (p.v > 0) context.fillRect(x(p.t) - 1.5, y(p.v), 3, y(0) - y(p.v));
            return;
          }
          context.beginPath();
          points.forEach((p, i) => { if (i === 0) context.moveTo(x(p.t), y(p.v)); else context.lineTo(x(p.t), y(p.v)); });
          context.stroke();
        }

        function lastValue(points) { return points.length ? Math.round(points[points.length - 1].v * 10) / 10 : 0; }

        function drawPlots() {
          const commits = rates('commit', true);
          const elections = rates('elections', false);
          const tasks = rates('taskChanges', true);
          drawPlot('plot-commits', commits, '#0969da', false);
          drawPlot('plot-elections', elections, '#cf222e', true);
          drawPlot('plot-tasks', tasks, '#1f883d', false);
          document.getElementById('now-commits').textContent = lastValue(commits);
          document.getElementById('now-elections').textContent = Corral.elections + ' seen, term ' + Corral.term;
          document.getElementById('now-tasks').textContent = lastValue(tasks);
        }
        """#
}
