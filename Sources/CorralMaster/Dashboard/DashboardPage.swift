/// The dashboard's page: the sections the scripts fill in. Elements the browser test reads
/// carry ids and `data-` attributes (`#leader[data-leader-id]`, rows with `data-agent-id`,
/// `data-task-id` and `data-state`).
enum DashboardPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Corral</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/ui/dashboard.css">
        </head>
        <body>
        <header>
          <h1>Corral</h1>
          <span id="cluster" class="muted"></span>
          <span id="leader" data-leader-id="0" data-term="0">no leader known</span>
          <span id="via" class="muted"></span>
          <span id="live" class="badge warn">connecting</span>
        </header>
        <main>
          <section id="quorum-section">
            <h2>Quorum</h2>
            <table id="quorum"><thead><tr>
              <th>Master</th><th>Address</th><th>Role</th><th>Term</th><th>Commit</th><th>Applied</th><th>Lag</th><th>Health</th>
            </tr></thead><tbody></tbody></table>
          </section>
          <section id="events-section">
            <h2>Events</h2>
            <ol id="events" reversed></ol>
          </section>
          <section id="plots-section">
            <h2>Last minutes</h2>
            <div class="plots">
              <figure><figcaption>Commits/s <b id="now-commits"></b></figcaption><canvas id="plot-commits" width="420" height="120"></canvas></figure>
              <figure><figcaption>Elections <b id="now-elections"></b></figcaption><canvas id="plot-elections" width="420" height="120"></canvas></figure>
              <figure><figcaption>Task state changes/s <b id="now-tasks"></b></figcaption><canvas id="plot-tasks" width="420" height="120"></canvas></figure>
            </div>
          </section>
          <section id="agents-section">
            <h2>Agents <span id="agents-count" class="muted"></span></h2>
            <table id="agents"><thead><tr>
              <th>Host</th><th>ID</th><th>State</th><th>Total</th><th>Used</th><th>Free</th><th>Attributes</th>
            </tr></thead><tbody></tbody></table>
          </section>
          <section id="frameworks-section">
            <h2>Frameworks <span id="frameworks-count" class="muted"></span></h2>
            <table id="frameworks"><thead><tr>
              <th>Name</th><th>ID</th><th>Role</th><th>State</th><th>Used</th><th>Offered</th><th>Registered</th>
            </tr></thead><tbody></tbody></table>
          </section>
          <section id="tasks-section">
            <h2>Tasks <span id="tasks-count" class="muted"></span></h2>
            <div class="controls">
              <select id="task-filter">
                <option value="active">Active</option><option value="ended">Ended</option><option value="all">All</option>
              </select>
              <input id="task-search" type="search" placeholder="Search ID, name, framework, agent or state">
              <span class="muted">Click a task to browse its sandbox.</span>
            </div>
            <table id="tasks"><thead><tr>
              <th>ID</th><th>Name</th><th>Framework</th><th>Agent</th><th>State</th><th>In state for</th><th>Resources</th>
            </tr></thead><tbody></tbody></table>
          </section>
          <section id="sandbox-section" hidden>
            <h2>Sandbox of <span id="sandbox-task"></span> <button id="sandbox-close" type="button">Close</button></h2>
            <div class="sandbox">
              <div><div id="sandbox-path" class="muted"></div><ul id="sandbox-files"></ul></div>
              <div><div id="sandbox-name" class="muted"></div><pre id="sandbox-file"></pre></div>
            </div>
          </section>
          <section id="offers-section">
            <h2>Offers <span id="offers-count" class="muted"></span></h2>
            <table id="offers"><thead><tr>
              <th>Offer</th><th>Framework</th><th>Agent</th><th>Resources</th>
            </tr></thead><tbody></tbody></table>
          </section>
          <section id="roles-section">
            <h2>Quota and weights</h2>
            <table id="roles"><thead><tr>
              <th>Role</th><th>Weight</th><th>Guarantees</th><th>Limits</th><th>Allocated</th><th>Frameworks</th>
            </tr></thead><tbody></tbody></table>
          </section>
        </main>
        <script src="/ui/core.js"></script>
        <script src="/ui/views.js"></script>
        <script src="/ui/tables.js"></script>
        <script src="/ui/plots.js"></script>
        <script src="/ui/sandbox.js"></script>
        <script src="/ui/stream.js"></script>
        </body>
        </html>
        """#
}
